import * as Args from '@oclif/core/args';
import { BaseCommand } from '../../cli/base-command.js';
import { formatTable } from '../../cli/table.js';
import { yamlValue } from '../../config/render-config.js';
import { closestMatch } from '../../config/suggest.js';
import { errors } from '../../errors/index.js';
import { describeSpec, type SpecField } from '../../targets/describe-spec.js';
import { TARGET_NAMES } from '../../targets/names.js';
import { getTarget, isTargetName } from '../../targets/registry.js';
import type { TargetLifecycleShapes, TargetOutput } from '../../targets/target.js';

export interface TargetDetails {
  readonly name: string;
  readonly cloud: string;
  readonly registry: string;
  readonly summary: string;
  readonly fields: readonly SpecField[];
  readonly outputs: readonly TargetOutput[];
  /** `release.strategy` values it can do, with how, and the ones it cannot, with why. */
  readonly releaseStrategies: Readonly<Record<string, string>>;
  readonly releaseGaps: Readonly<Record<string, string>>;
  /** What `terminate` and `restore` do on it; null when the target does not describe it. */
  readonly lifecycle: TargetLifecycleShapes | null;
}

export default class TargetsShow extends BaseCommand {
  static override summary = "Show a target's spec fields with their types, defaults and meaning.";

  static override description =
    'The fields listed go under `spec:` in a deployment config whose `target:` is this target. Then its outputs, the release strategies it can do (and how), and what `bentoctl terminate` and `restore` do on it.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> aws-ecs',
    '<%= config.bin %> <%= command.id %> google-cloud-run --json',
  ];

  static override args = {
    name: Args.string({
      description: 'Target name (see `bentoctl targets list`).',
      required: true,
    }),
  };

  async run(): Promise<TargetDetails> {
    const { args } = await this.parse(TargetsShow);
    if (!isTargetName(args.name))
      throw errors.targetUnknown(args.name, closestMatch(args.name, TARGET_NAMES));
    const target = getTarget(args.name);
    const fields = describeSpec(target);
    this.log(`${target.name} (${target.cloud}, pushes to ${target.registry}): ${target.summary}`);
    this.log('');
    this.log(
      formatTable(
        ['FIELD', 'TYPE', 'DEFAULT', 'DESCRIPTION'],
        fields.map((field) => [
          field.name,
          field.type,
          field.required
            ? '(required)'
            : field.default !== undefined
              ? yamlValue(field.default)
              : (field.defaultNote ?? '-'),
          field.values && field.values.length <= 8
            ? `${field.description} One of: ${field.values.join(', ')}.`
            : field.description,
        ]),
      ),
    );
    this.log('');
    this.log('Outputs:');
    for (const output of target.outputs) this.log(`  ${output.name}  ${output.description}`);
    this.log('');
    this.log('Release strategies (release.strategy):');
    for (const [strategy, how] of Object.entries(target.releaseStrategies)) {
      this.log(`  ${strategy}  ${how}`);
    }
    for (const [strategy, why] of Object.entries(target.releaseGaps ?? {})) {
      this.log(`  ${strategy}  not available: ${why}`);
    }
    this.log('');
    this.log('Lifecycle (bentoctl terminate / restore):');
    if (target.lifecycle === undefined) {
      this.log(`  ${target.name} does not describe its terminated shape`);
    } else {
      this.log(`  terminated  ${target.lifecycle.terminated}`);
      this.log(`  restored    ${target.lifecycle.restored}`);
    }
    return {
      name: target.name,
      cloud: target.cloud,
      registry: target.registry,
      summary: target.summary,
      fields,
      outputs: target.outputs,
      releaseStrategies: { ...target.releaseStrategies },
      releaseGaps: { ...target.releaseGaps },
      lifecycle: target.lifecycle ?? null,
    };
  }
}
