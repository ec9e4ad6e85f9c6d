/**
 * `bentoctl status`: the local records (deployment-status.ts) with what the Terraform state says
 * now (its outputs, current release, lifecycle and traffic split), one /readyz probe of the endpoint and, unless turned
 * off, what the cloud says runs (observe/live-section.ts). The state's release wins over the
 * local records; a state that cannot be read is reported beside them, not thrown.
 */
import type { ResolvedConfig } from '../config/resolved-config.js';
import { deploymentPathsOf } from '../config/deployment-paths.js';
import { BentoctlError } from '../errors/index.js';
import { liveSection, type LiveSection } from '../observe/live-section.js';
import { displayOutputs, endpointOf } from '../terraform/outputs.js';
import type { JsonValue } from '../terraform/plan-json.js';
import { createTerraform } from '../terraform/terraform.js';
import { deploymentStatus, type DeploymentStatus } from './deployment-status.js';
import { readStateOutputs } from './read-releases.js';
import type { Release } from './deployment-records.js';
import {
  lifecycleFromOutputs,
  lifecycleOf,
  type LifecycleRecord,
  type LifecycleState,
} from './lifecycle-state.js';
import { currentRelease } from './release-history.js';
import { historyFromOutputs, trafficFromOutputs, withoutHistory } from './release-stack-file.js';
import type { TrafficState } from './traffic-state.js';
import { probeReady, readyzUrl, type Probe } from './wait-ready.js';

/** What `bentoctl status` shows (and prints under --json). */
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
  /** Who gets the traffic, where bentoctl moves it (canary, blue-green); null elsewhere. */
  readonly traffic: TrafficState | null;
}

export interface StatusOptions {
  /** Ask the cloud what runs now (`--no-live` is false). */
  readonly live: boolean;
}

/** The status of `config`'s deployment now; see the file comment. */
export async function statusNow(
  config: ResolvedConfig,
  options: StatusOptions,
): Promise<StatusResult> {
  const paths = deploymentPathsOf(config);
  const local = deploymentStatus(config.name, paths);
  let stateOutputs: Record<string, JsonValue> | null = null;
  let stateError: string | null = null;
  let endpoint = local.endpoint;
  let release: Release | undefined;
  let lifecycle: LifecycleRecord | undefined;
  let traffic: TrafficState | undefined;
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
    traffic = trafficFromOutputs(outputs);
    stateRead = true;
  } catch (cause) {
    // The local records still say something useful; report the state problem beside them.
    if (!(cause instanceof BentoctlError)) throw cause;
    stateError = cause.message;
  }
  const health = endpoint === null ? null : await probeReady(readyzUrl(endpoint), 5_000);
  const live: LiveSection = options.live
    ? await liveSection(config)
    : { live: null, liveError: null, liveExitCode: 0 };
  return {
    ...live,
    ...local,
    ...(release === undefined
      ? {}
      : {
          bentoVersion: release.bento_version,
          imageDigest: release.image_digest,
          imageRepository: release.image_repository,
          lastAppliedAt: local.lastAppliedAt ?? release.recorded_at,
          newerImageBuilt: local.builtDigest !== null && local.builtDigest !== release.image_digest,
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
    traffic: traffic ?? null,
  };
}
