import { BaseCommand } from '../cli/base-command.js';
import { formatTable } from '../cli/table.js';
import { listDeployments, type DeploymentStatus } from '../deploy/deployment-status.js';

export default class List extends BaseCommand {
  static override summary = 'List the deployments whose configs are in this folder.';

  static override description = `One row per deployment under ./.bentoctl/ (where the configs in this folder keep their records; \
$BENTOCTL_STATE_DIR when set): target, bento version, image digest, endpoint \
and last apply time, from the records apply and build leave there. Reads files only: no \
terraform, no credentials. \`bentoctl status -f <config>\` also reads the state and checks health.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
  ];

  async run(): Promise<DeploymentStatus[]> {
    await this.parse(List);
    const deployments = listDeployments();
    if (deployments.length === 0) {
      this.log(
        'No deployments recorded for the configs in this folder (./.bentoctl/) yet: run `bentoctl apply -f <config>`.',
      );
      return deployments;
    }
    this.log(
      formatTable(
        ['NAME', 'TARGET', 'BENTO VERSION', 'IMAGE', 'ENDPOINT', 'LAST APPLY'],
        deployments.map((deployment) => [
          deployment.name,
          deployment.target ?? '-',
          deployment.bentoVersion ?? '-',
          shortDigest(deployment.imageDigest),
          deployment.endpoint ?? '-',
          deployment.lastAppliedAt ?? (deployment.stackGenerated ? 'not applied' : '-'),
        ]),
      ),
    );
    return deployments;
  }
}

/** `sha256:0123456789ab`: enough to tell images apart in a table; --json has the full digest. */
function shortDigest(digest: string | null): string {
  return digest === null ? '-' : digest.slice(0, 'sha256:'.length + 12);
}
