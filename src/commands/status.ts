import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base-command.js';
import { configFileFlag } from '../cli/config-flag.js';
import { loadConfig } from '../config/load.js';
import { deploymentPathsOf } from '../config/deployment-paths.js';
import { BentoctlError } from '../errors/index.js';
import { deploymentStatus, type DeploymentStatus } from '../deploy/deployment-status.js';
import { displayOutputs, endpointOf } from '../terraform/outputs.js';
import type { JsonValue } from '../terraform/plan-json.js';
import { createTerraform } from '../terraform/terraform.js';
import { describeRevision, probeReady, readyzUrl, type Probe } from '../deploy/wait-ready.js';
import { readStateOutputs } from '../deploy/read-releases.js';
import type { Release } from '../deploy/deployment-records.js';
import { currentRelease } from '../deploy/release-history.js';
import { historyFromOutputs, withoutHistory } from '../deploy/release-stack-file.js';
import { liveRows, liveSection, type LiveSection } from '../observe/live-section.js';
import {
  lifecycleFromOutputs,
  lifecycleOf,
  type LifecycleRecord,
  type LifecycleState,
} from '../deploy/lifecycle-state.js';

export interface StatusResult extends DeploymentStatus, LiveSection {
  /** Outputs read from the Terraform state now; null when the state could not be read. */
  readonly stateOutputs: Record<string, JsonValue> | null;
  /** Why the state could not be read. */
  readonly stateError: string | null;
  /** One GET of <endpoint>/readyz; null without an endpoint. */
  readonly health: Probe | null;
  /** The current release from the history in the state; null when none could be read. */
  readonly release: Release | null;
  /** Where bento version and image come from: the state's history, else the local records. */
  readonly source: 'release-history' | 'local-records';
  /** running or terminated, from the Terraform state; null when the state could not be read. */
  readonly lifecycle: LifecycleState | null;
  /** When and by whom it entered that state; null for a deployment never terminated. */
  readonly lifecycleRecord: LifecycleRecord | null;
}

export default class Status extends BaseCommand {
  static override summary =
    'Show one deployment: what runs, where, since when, and whether it answers.';

  static override description = `Combines the local records (.bentoctl/<name>/ beside the config: last apply, last pushed image) with the
outputs and the current release in the Terraform state (terraform output -json, so a remote
backend needs its credentials; from a folder without a generated stack, the release history is
read through the backend as \`bentoctl releases\` does) and one request to <endpoint>/readyz,
which also says which revision answers. The release in the state wins over the local records;
when there is none, the local records are shown and the output says so. Use \`bentoctl list\`
for all deployments.

It also asks the cloud what runs now (the "live" rows and field): desired and running
instances, each revision's image, bento version and traffic share, the rollout and the latest
events, failures first (aws-ecs: ECS DescribeServices, DescribeTaskDefinition, and ListTasks
with DescribeTasks for why tasks stopped, ELBv2 DescribeTargetHealth; aws-ec2-gpu: Auto Scaling DescribeAutoScalingGroups and
DescribeScalingActivities; google-cloud-run: Cloud Run services.get and revisions.list, which
roles/run.viewer grants; azure-aks: the Deployment, its ReplicaSets, pods and events through
the cluster's Kubernetes API, with the kubeconfig ARM's listClusterUserCredential gives). When the cloud cannot be asked, the local records are shown, said so,
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
    const config = loadConfig(flags.file);
    const paths = deploymentPathsOf(config);
    const local = deploymentStatus(config.name, paths);
    let stateOutputs: Record<string, JsonValue> | null = null;
    let stateError: string | null = null;
    let endpoint = local.endpoint;
    let release: Release | undefined;
    let lifecycle: LifecycleRecord | undefined;
    let stateRead = false;
    try {
      const terraform = await createTerraform();
      // Without a generated stack (a fresh runner), the state is read through its backend alone.
      const outputs = local.stackGenerated
        ? await terraform.outputs(paths.stack)
        : await readStateOutputs(config, paths, { binary: terraform.binary });
      stateOutputs = displayOutputs(withoutHistory(outputs));
      endpoint = endpointOf(outputs) ?? endpoint;
      release = currentRelease(historyFromOutputs(outputs));
      lifecycle = lifecycleFromOutputs(outputs);
      stateRead = true;
    } catch (cause) {
      // The local records still say something useful; report the state problem beside them.
      if (!(cause instanceof BentoctlError)) throw cause;
      stateError = cause.message;
    }
    const health = endpoint === null ? null : await probeReady(readyzUrl(endpoint), 5_000);
    const live: LiveSection = flags.live
      ? await liveSection(config)
      : { live: null, liveError: null, liveExitCode: 0 };
    const status: StatusResult = {
      ...live,
      ...local,
      ...(release === undefined
        ? {}
        : {
            bentoVersion: release.bento_version,
            imageDigest: release.image_digest,
            imageRepository: release.image_repository,
            lastAppliedAt: local.lastAppliedAt ?? release.recorded_at,
            newerImageBuilt:
              local.builtDigest !== null && local.builtDigest !== release.image_digest,
          }),
      target: local.target ?? config.target,
      endpoint,
      stateOutputs,
      stateError,
      health,
      release: release ?? null,
      source: release === undefined ? 'local-records' : 'release-history',
      lifecycle: stateRead ? lifecycleOf(lifecycle) : null,
      lifecycleRecord: lifecycle ?? null,
    };
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
