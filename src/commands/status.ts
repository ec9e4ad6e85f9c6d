import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base-command.js';
import { configFileFlag } from '../cli/config-flag.js';
import { loadConfig } from '../config/load.js';
import { describeRevision } from '../deploy/wait-ready.js';
import type { Release } from '../deploy/deployment-records.js';
import { statusNow, type StatusResult } from '../deploy/status-now.js';
import { splitOf, type TrafficState } from '../deploy/traffic-state.js';
import { liveRows } from '../observe/live-section.js';

export type { StatusResult };

export default class Status extends BaseCommand {
  static override summary =
    'Show one deployment: what runs, where, since when, and whether it answers.';

  static override description = `Combines the local records (.bentoctl/<name>/ beside the config: last apply, last pushed image) with the \
outputs, the current release, the lifecycle (running or terminated) and, where bentoctl moves \
the traffic (canary, blue-green), each revision's share in the Terraform state (terraform output \
-json, so a remote backend needs its credentials; from a folder without a generated stack, the \
state is read through the backend as \`bentoctl releases\` does) and one request to <endpoint>/readyz, \
which also says which revision answers. The release in the state wins over the local records; \
when there is none, the local records are shown and the output says so. Use \`bentoctl list\` \
for all deployments.

It also asks the cloud what runs now (the "live" rows and field): desired and running \
instances, each revision's image, bento version and traffic share, the rollout and the latest \
events, failures first (aws-ecs: ECS DescribeServices, DescribeTaskDefinition, and ListTasks \
with DescribeTasks for why tasks stopped, ELBv2 DescribeTargetHealth; aws-ec2-gpu: Auto Scaling DescribeAutoScalingGroups and \
DescribeScalingActivities; google-cloud-run: Cloud Run services.get and revisions.list, which \
roles/run.viewer grants; azure-aks: the Deployment, its ReplicaSets, pods and events through \
the cluster's Kubernetes API, with the kubeconfig ARM's listClusterUserCredential gives, and \
during a canary or blue-green release the candidate Deployment <name>-candidate beside it, its \
revisions named <name>-candidate:<n>, with each one's share as the release's Istio \
VirtualService routes it). When the cloud cannot be asked, the local records are shown, said so, \
and the exit status is 3.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml',
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml --json',
  ];

  static override flags = {
    file: configFileFlag,
    live: Flags.boolean({
      summary: 'Ask the cloud what runs now; --no-live shows the local records and state only.',
      default: true,
      allowNo: true,
    }),
  };

  async run(): Promise<StatusResult> {
    const { flags } = await this.parse(Status);
    const status = await statusNow(loadConfig(flags.file), { live: flags.live });
    this.log(formatStatus(status));
    // The local records are printed (or returned for --json), but a script must still learn
    // that the cloud did not answer.
    if (status.liveExitCode !== 0) process.exitCode = status.liveExitCode;
    return status;
  }
}

function formatStatus(status: StatusResult): string {
  const rows: [string, string][] = [
    ['deployment', status.name],
    ['target', status.target ?? '-'],
    ['bento version', status.bentoVersion ?? '-'],
    [
      'image',
      status.imageDigest === null ? '-' : `${status.imageRepository ?? ''}@${status.imageDigest}`,
    ],
    [
      'release',
      status.release === null
        ? '- (no release history in the state; bento version and image from the local records)'
        : describeRelease(status.release),
    ],
    [
      'lifecycle',
      status.lifecycle === null
        ? '- (the state could not be read)'
        : status.lifecycleRecord === null
          ? status.lifecycle
          : `${status.lifecycle} (since ${status.lifecycleRecord.since}, by ${status.lifecycleRecord.by})`,
    ],
    ...(status.traffic === null
      ? []
      : [['traffic', describeTraffic(status.traffic)] as [string, string]]),
    ['endpoint', status.endpoint ?? '-'],
    [
      'last apply',
      status.lastAppliedAt ??
        (status.source === 'release-history' ? '-' : 'never (no apply record beside the config)'),
    ],
    [
      'health',
      status.health === null
        ? '-'
        : status.health.up
          ? `up (${status.health.detail}${status.health.revision === undefined ? '' : `, serves ${describeRevision(status.health.revision)}`})`
          : `down (${status.health.detail})`,
    ],
  ];
  if (status.newerImageBuilt)
    rows.push(['note', 'a newer image was built than the one applied; run apply']);
  if (status.stateError !== null)
    rows.push(['state', `not readable: ${status.stateError.split('\n')[0] ?? ''}`]);
  rows.push(...liveRows(status));
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

function describeRelease(release: Release): string {
  const rollback =
    release.kind === 'rollback'
      ? `, rollback of ${release.rollback_of ?? '?'} to ${release.rollback_to ?? '?'}`
      : '';
  return `${release.number} (${release.recorded_at}, by ${release.by}${rollback})`;
}

/** "canary (canary): 90 % rev-a (release 3), 10 % rev-b (release 4)": phase (strategy): shares */
function describeTraffic(traffic: TrafficState): string {
  const releaseOf = (revision: string) => {
    const number =
      revision === traffic.stable_revision ? traffic.stable_release : traffic.candidate_release;
    return number === null ? '' : ` (release ${number})`;
  };
  const shares = splitOf(traffic).map(
    (share) => `${share.percent} % ${share.revision}${releaseOf(share.revision)}`,
  );
  const phase = traffic.phase === 'waiting' ? 'waiting for approval' : traffic.phase;
  return `${phase} (${traffic.strategy}): ${shares.join(', ')}`;
}
