import { BaseCommand } from '../../cli/base-command.js';
import { formatTable } from '../../cli/table.js';
import { listTargets } from '../../targets/registry.js';

export interface TargetSummary {
  readonly name: string;
  readonly cloud: string;
  readonly registry: string;
  readonly summary: string;
}

export default class TargetsList extends BaseCommand {
  static override summary = 'List the deployment targets.';

  static override description =
    'Each target is a cloud service bentoctl synthesizes Terraform for. Use `bentoctl targets show <name>` for its spec fields.';

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
  ];

  async run(): Promise<TargetSummary[]> {
    await this.parse(TargetsList);
    const targets = listTargets().map((target) => ({
      name: target.name,
      cloud: target.cloud,
      registry: target.registry,
      summary: target.summary,
    }));
    this.log(
      formatTable(
        ['TARGET', 'CLOUD', 'REGISTRY', 'SUMMARY'],
        targets.map((t) => [t.name, t.cloud, t.registry, t.summary]),
      ),
    );
    return targets;
  }
}
