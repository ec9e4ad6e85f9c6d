import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base-command.js';
import { configFileFlag } from '../cli/config-flag.js';
import { loadConfig } from '../config/load.js';
import { deploymentPaths } from '../config/deployment-paths.js';
import { BentoctlError } from '../errors/index.js';
import { deploymentStatus, type DeploymentStatus } from '../deploy/deployment-status.js';
import { displayOutputs, endpointOf } from '../terraform/outputs.js';
import type { JsonValue } from '../terraform/plan-json.js';
import { createTerraform } from '../terraform/terraform.js';
import { probeReady, readyzUrl, type Probe } from '../deploy/wait-ready.js';
import { liveRows, liveSection, type LiveSection } from '../observe/live-section.js';

export interface StatusResult extends DeploymentStatus, LiveSection {
  /** Outputs read from the Terraform state now; null when the state could not be read. */
  readonly stateOutputs: Record<string, JsonValue> | null;
  /** Why the state could not be read. */
  readonly stateError: string | null;
  /** One GET of <endpoint>/readyz; null without an endpoint. */
  readonly health: Probe | null;
}

export default class Status extends BaseCommand {
  static override summary =
    'Show one deployment: what runs, where, since when, and whether it answers.';

  static override description = `Combines the local records (.bentoctl/<name>/: last apply, last pushed image) with the
outputs in the Terraform state (terraform output -json, so a remote backend needs its
credentials) and one request to <endpoint>/readyz. Use \`bentoctl list\` for all deployments.

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
    const local = deploymentStatus(config.name);
    let stateOutputs: Record<string, JsonValue> | null = null;
    let stateError: string | null = null;
    let endpoint = local.endpoint;
    if (local.stackGenerated) {
      try {
        const terraform = await createTerraform();
        const outputs = await terraform.outputs(deploymentPaths(config.name).stack);
        stateOutputs = displayOutputs(outputs);
        endpoint = endpointOf(outputs) ?? endpoint;
      } catch (cause) {
        // The local records still say something useful; report the state problem beside them.
        if (!(cause instanceof BentoctlError)) throw cause;
        stateError = cause.message;
      }
    }
    const health = endpoint === null ? null : await probeReady(readyzUrl(endpoint), 5_000);
    const live: LiveSection = flags.live
      ? await liveSection(config)
      : { live: null, liveError: null, liveExitCode: 0 };
    const status: StatusResult = {
      ...live,
      ...local,
      target: local.target ?? config.target,
      endpoint,
      stateOutputs,
      stateError,
      health,
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
    ['endpoint', status.endpoint ?? '-'],
    ['last apply', status.lastAppliedAt ?? 'never (from this folder)'],
    [
      'health',
      status.health === null
        ? '-'
        : status.health.up
          ? `up (${status.health.detail})`
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
