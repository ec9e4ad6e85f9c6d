/**
 * What `status` learns from the cloud itself, the same shape for every target: how many
 * instances are wanted and run, which revision each runs (image and bento version), how traffic
 * is split, the rollout's state and the latest events, failures first.
 */

export interface LiveRevision {
  /**
   * ECS task definition (`iris-prod:7`), Cloud Run revision, Kubernetes ReplicaSet revision (a
   * release's candidate Deployment's named by it: `iris-prod-candidate:1`).
   */
  readonly id: string;
  /** The image reference it runs, by digest. */
  readonly image: string | null;
  /** The `bento-version` label or tag the stack stamps on it; null when the cloud does not say. */
  readonly bentoVersion: string | null;
  readonly desired: number | null;
  readonly running: number | null;
  /** Share of requests it gets, in percent; null when the platform does not split traffic. */
  readonly trafficPercent: number | null;
  /**
   * `primary`, `draining`, `latest ready`... as the platform says; where bentoctl runs a release
   * as a second workload (azure-aks), `stable` and `candidate` as `release status` says.
   */
  readonly role: string;
}

export interface LiveInstance {
  readonly id: string;
  /** `RUNNING`, `InService`, `Running`... as the platform says. */
  readonly state: string;
  /** Load balancer or readiness verdict: `healthy`, `unhealthy (Target.ResponseCodeMismatch)`. */
  readonly health: string | null;
  readonly revision: string | null;
}

export interface LiveEvent {
  /** ISO 8601. */
  readonly time: string | null;
  readonly severity: 'info' | 'warning' | 'error';
  readonly message: string;
}

export interface LiveStatus {
  /** Where the answer comes from: `ECS service iris-prod in cluster iris-prod (us-east-1)`. */
  readonly source: string;
  /** The service exists in the cloud. */
  readonly found: boolean;
  readonly desired: number | null;
  readonly running: number | null;
  /** `COMPLETED`, `IN_PROGRESS`, `FAILED` (ECS), `Ready` / `failed: ...` (Cloud Run)... */
  readonly rollout: string | null;
  readonly revisions: readonly LiveRevision[];
  readonly instances: readonly LiveInstance[];
  /** Newest first, at most ten. */
  readonly events: readonly LiveEvent[];
  /** What the platform cannot tell through the APIs bentoctl calls. */
  readonly notes: readonly string[];
}

/** A service the cloud does not know (never applied, destroyed, another region). */
export function notFound(source: string, note: string): LiveStatus {
  return {
    source,
    found: false,
    desired: null,
    running: null,
    rollout: null,
    revisions: [],
    instances: [],
    events: [],
    notes: [note],
  };
}

/** Failures first, then newest first; at most `limit`. */
export function latestEvents(events: readonly LiveEvent[], limit = 10): LiveEvent[] {
  const rank = { error: 0, warning: 1, info: 2 } as const;
  return [...events]
    .sort((a, b) => (b.time ?? '').localeCompare(a.time ?? ''))
    .slice(0, limit)
    .sort((a, b) => rank[a.severity] - rank[b.severity]);
}

/** The `bento-version` label the stacks stamp (src/targets/stack-labels.ts). */
export const BENTO_VERSION_LABEL = 'bento-version';

/** The digest of `repo@sha256:...`, for comparing with local records. */
export function digestOf(image: string | null): string | null {
  const at = image?.lastIndexOf('@') ?? -1;
  return image === null || at < 0 ? null : image.slice(at + 1);
}
