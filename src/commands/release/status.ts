import { BaseCommand } from '../../cli/base-command.js';
import { configFileFlag } from '../../cli/config-flag.js';
import { deploymentPathsOf } from '../../config/deployment-paths.js';
import { loadConfig } from '../../config/load.js';
import { shouldStream } from '../../deploy/approval.js';
import { releaseStatus, type ReleaseStatus } from '../../deploy/release-status.js';
import { describeRevision } from '../../deploy/wait-ready.js';
import { discoverTerraform } from '../../terraform/binary.js';

export default class ReleaseStatusCommand extends BaseCommand {
  static override summary =
    'Show which revisions get what share of the traffic, whether they answer, and the bake time left.';

  static override description = `Reads the release history and the traffic state from the deployment's Terraform state \
(as \`bentoctl releases\` does, so it works from a fresh CI runner) and asks each revision's URL \
for /readyz: the candidate's own URL (\`candidate_endpoint\`: Cloud Run's traffic tag, ECS's test \
listener, aws-ec2-gpu's candidate port on the load balancer, the candidate's own Service on \
azure-aks), named in the target's words after its share, and the endpoint for the stable one. \
A candidate that waits for \`bentoctl release promote\` (blue-green, also on aws-ecs, where \
ECS's lifecycle hook waits for the approval) shows as waiting for approval. Where the platform \
moves the traffic (aws-ecs canary, any rolling release), it says how; \`bentoctl status\` shows \
what the cloud runs. A terminated deployment is shown as such (with the restore that brings it \
back), its revisions not asked.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml',
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml --json',
  ];

  static override flags = { file: configFileFlag };

  async run(): Promise<ReleaseStatus> {
    const { flags } = await this.parse(ReleaseStatusCommand);
    const json = this.jsonEnabled();
    const config = loadConfig(flags.file);
    const status = await releaseStatus(config, deploymentPathsOf(config), {
      binary: await discoverTerraform(),
      stream: shouldStream(json),
      progress: (line) => {
        if (!json) this.logToStderr(line);
      },
    });
    for (const [label, value] of rows(status, flags.file)) this.log(`${label.padEnd(10)} ${value}`);
    return status;
  }
}

function rows(status: ReleaseStatus, file: string): [string, string][] {
  const out: [string, string][] = [['release', status.plan]];
  const { lifecycle } = status;
  if (lifecycle?.state === 'terminated') {
    out.push([
      'lifecycle',
      `terminated (since ${lifecycle.since}, by ${lifecycle.by}): nothing serves, so no revision was asked; \`bentoctl restore -f ${file}\` brings it back`,
    ]);
  }
  if (status.movedBy === 'platform') {
    out.push([
      'moved by',
      status.strategy === 'rolling'
        ? `${status.target} (a rolling release replaces the old revision as the platform rolls)`
        : `${status.target} (the platform shifts the traffic and its alarms roll back; bentoctl apply waits while it does; \`bentoctl status\` shows its deployments)`,
    ]);
  } else {
    out.push(['moved by', 'bentoctl (`bentoctl release promote` / `release abort`)']);
    out.push([
      'phase',
      status.phase === 'waiting'
        ? 'waiting for approval: the candidate gets no traffic until `bentoctl release promote` (or `release abort`)'
        : `${status.phase ?? 'unknown'}${status.bakeMinutesLeft === null ? '' : status.bakeMinutesLeft > 0 ? `, ${status.bakeMinutesLeft} min of bake left` : ', baked: ready to promote'}`,
    ]);
  }
  for (const share of status.shares) {
    const release =
      share.release === null
        ? 'no recorded release'
        : `release ${share.release.number} (bento ${share.release.bento_version ?? 'unknown'})`;
    const health =
      share.health === null
        ? 'not asked'
        : share.health.up
          ? `up${share.health.revision === undefined ? '' : `, serves ${describeRevision(share.health.revision)}`}`
          : `down (${share.health.detail})`;
    out.push([
      'revision',
      `${share.revision} ${share.percent} % ${share.role}${share.ownUrl === null ? '' : ` (${share.ownUrl})`}: ${release}; ${share.url ?? 'no URL'} ${health}`,
    ]);
  }
  if (status.current === null) out.push(['current', 'no release recorded yet']);
  return out;
}
