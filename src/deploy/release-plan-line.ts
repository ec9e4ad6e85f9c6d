/**
 * The release strategy as one line of a plan's summary (the PR comment): "canary: 10 % to bento
 * 3f2a… for 15 min, then 100 % (or back)", and who gets the traffic after the apply where
 * bentoctl moves it, or how the platform moves it; with runtime.grpc, that gRPC calls move alike.
 */
import { describeRelease } from '../config/release-schema.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { PlannedReleases } from './planned-release.js';
import { describeApproval, describeSplit } from './traffic-plan.js';

/** Undefined for a rolling release, which is what every deployment did before `release:`. */
export function releasePlanLine(
  config: ResolvedConfig,
  releases: PlannedReleases | undefined,
): string | undefined {
  const line = strategyLine(config, releases);
  // Every target that serves gRPC moves its calls with the requests; a reviewer of a gRPC
  // service should not have to wonder where those go.
  return line !== undefined && config.runtime.grpc.enabled
    ? `${line} gRPC calls follow the same split.`
    : line;
}

function strategyLine(
  config: ResolvedConfig,
  releases: PlannedReleases | undefined,
): string | undefined {
  if (config.release.strategy === 'rolling') return undefined;
  const version = releases?.candidate.bentoVersion;
  const subject = version == null ? 'the new revision' : `bento ${version}`;
  const plan = describeRelease(config.release, subject);
  const traffic = releases?.traffic;
  if (traffic === undefined) {
    return `${plan}; ${config.target} moves the traffic itself and rolls back on its alarms (5xx rate, p99 latency).`;
  }
  const next =
    traffic.phase === 'canary' || traffic.phase === 'waiting'
      ? '; then `bentoctl release promote` (or `release abort`)'
      : '';
  if (releases?.trafficControl === 'approval') {
    return `${plan}. After this apply: ${describeApproval(traffic, config.target)}${next}.`;
  }
  return `${plan}. Traffic after this apply: ${describeSplit(traffic, config)}${next}.`;
}
