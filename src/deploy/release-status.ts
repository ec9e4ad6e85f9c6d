/**
 * `bentoctl release status`: from the state (any runner), which revisions get what share, the
 * release each runs, whether each answers, and the bake time left. Where the platform moves the
 * traffic (aws-ecs under canary or blue-green, every rolling release) it says so and how.
 */
import type { DeploymentPaths } from '../config/deployment-paths.js';
import { describeRelease, type ReleaseStrategy } from '../config/release-schema.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { endpointOf } from '../terraform/outputs.js';
import { candidateUrlWords, platformApproves } from '../targets/registry.js';
import type { TrafficTarget } from '../targets/traffic-split.js';
import { readStateOutputs, type ReadReleasesOptions } from './read-releases.js';
import type { Release } from './deployment-records.js';
import { currentRelease } from './release-history.js';
import { historyFromOutputs, trafficFromOutputs } from './release-stack-file.js';
import { lifecycleFromOutputs, lifecycleOf, type LifecycleRecord } from './lifecycle-state.js';
import { bakeMinutesLeft, splitOf, type TrafficState } from './traffic-state.js';
import { probeReady, readyzUrl, type Probe } from './wait-ready.js';
import { candidateUrlOf } from './wait-serving.js';

/** One revision's share, with the release it runs and whether it answers. */
export interface RevisionShare extends Omit<TrafficTarget, 'tag'> {
  readonly role: 'stable' | 'candidate';
  readonly release: Release | null;
  /**
   * Its own URL (`candidate_endpoint`: Cloud Run's candidate tag, aws-ecs's test listener, ...),
   * or the endpoint for the stable one; null when unknown or when it no longer runs (an aws-ecs
   * candidate rolled back).
   */
  readonly url: string | null;
  /**
   * What `url` is when it is the candidate's own URL, in the target's words ("tag candidate",
   * "own URL: test listener port 8080"); null when it is the endpoint or there is none.
   */
  readonly ownUrl: string | null;
  /** Cloud Run's traffic tag when `url` is the tag's URL; null on the other targets, which have none. */
  readonly tag: string | null;
  readonly health: Probe | null;
}

export interface ReleaseStatus {
  readonly deployment: string;
  readonly target: string;
  readonly strategy: ReleaseStrategy;
  /** "canary: 10 % to the new revision for 15 min, then 100 % (or back)" */
  readonly plan: string;
  /** bentoctl moves the traffic (release promote / abort), or the platform does. */
  readonly movedBy: 'bentoctl' | 'platform';
  readonly phase: TrafficState['phase'] | null;
  readonly shares: readonly RevisionShare[];
  /** Minutes before a canary may take all traffic; null outside a canary. */
  readonly bakeMinutesLeft: number | null;
  readonly current: Release | null;
  /** The lifecycle record in the state; null for a deployment never terminated (running). */
  readonly lifecycle: LifecycleRecord | null;
}

export interface ReleaseStatusOptions extends ReadReleasesOptions {
  /** Ask each revision's URL for /readyz. @default true */
  readonly probe?: boolean;
  readonly now?: Date;
}

export async function releaseStatus(
  config: ResolvedConfig,
  paths: DeploymentPaths,
  options: ReleaseStatusOptions,
): Promise<ReleaseStatus> {
  const outputs = await readStateOutputs(config, paths, options);
  const history = historyFromOutputs(outputs);
  const traffic = trafficFromOutputs(outputs);
  const endpoint = endpointOf(outputs) ?? null;
  const candidateUrl = candidateUrlOf(outputs) ?? null;
  const byNumber = (number: number | null) =>
    number === null ? null : (history.find((release) => release.number === number) ?? null);
  const lifecycle = lifecycleFromOutputs(outputs) ?? null;
  // A terminated deployment answers from nothing; asking would only time out.
  const terminated = lifecycleOf(lifecycle ?? undefined) === 'terminated';
  const probe = async (url: string | null) =>
    url === null || options.probe === false || terminated
      ? null
      : probeReady(readyzUrl(url), 5_000);

  // Where the platform acts on an approval (aws-ecs blue-green), the candidate URL is its test
  // listener, which names the candidate only while one waits: the stable revision answers on
  // the endpoint, and an aborted candidate, rolled back, no longer runs.
  const approvalStack = platformApproves(config.target, config.release.strategy);
  const { kind, words } = candidateUrlWords(config);
  const rolledBack = approvalStack && traffic?.phase === 'aborted';
  const shares: RevisionShare[] = [];
  if (traffic !== undefined && config.release.strategy !== 'rolling') {
    for (const target of splitOf(traffic)) {
      const role = target.revision === traffic.stable_revision ? 'stable' : 'candidate';
      // A settled stable revision answers on its candidate URL where it keeps the tag (Cloud
      // Run); where the candidate is separate compute (azure-aks), that URL is null outside a
      // release, and the endpoint is the stable revision's.
      const url =
        role === 'stable' && (traffic.phase !== 'settled' || candidateUrl === null || approvalStack)
          ? endpoint
          : rolledBack
            ? null
            : candidateUrl;
      // Named only where the URL asked is the candidate's own (not the endpoint, not none).
      const own = candidateUrl !== null && url === candidateUrl;
      shares.push({
        ...target,
        ownUrl: own ? words : null,
        tag: own && kind === 'revision-tag' ? target.tag : null,
        role,
        release: byNumber(role === 'stable' ? traffic.stable_release : traffic.candidate_release),
        url,
        health: await probe(url),
      });
    }
  }
  return {
    deployment: config.name,
    target: config.target,
    strategy: config.release.strategy,
    plan: describeRelease(config.release),
    movedBy: traffic === undefined ? 'platform' : 'bentoctl',
    phase: traffic?.phase ?? null,
    shares,
    bakeMinutesLeft:
      traffic?.phase === 'canary' ? bakeMinutesLeft(traffic, options.now ?? new Date()) : null,
    current: currentRelease(history) ?? null,
    lifecycle,
  };
}
