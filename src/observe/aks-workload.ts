/**
 * azure-aks: the workload as the Kubernetes API shows it. Status is the Deployment's rollout (as
 * `kubectl rollout status` judges it), its ReplicaSets (one per revision: image, `bento-version`
 * label, ready pods), its pods and the namespace's events about them; during a canary or
 * blue-green release the same for the candidate Deployment beside it (`<name>-candidate`), whose
 * revisions and pods are named apart (aks-revision.ts), and each one's share of the requests as
 * the mesh routes them (aks-traffic.ts). Logs are each pod's `pods/log`, of both
 * Deployments, since the window's start: read live from the kubelets, without the minutes of
 * delay a Log Analytics query has, with the same credentials; pods already deleted are not read.
 */
import { createHash } from 'node:crypto';
import type { KubeAccess } from './aks-credentials.js';
import { entryFromLine, type LogEntry } from './log-entry.js';
import type { LogPage, LogSource, LogWindow } from './log-source.js';
import {
  owningDeployment,
  REVISION_ANNOTATION,
  revisionFilter,
  revisionKey,
  workloadDeployments,
  workloadSelector,
  type DeploymentRole,
} from './aks-revision.js';
import { aksTrafficShares } from './aks-traffic.js';
import { kubeGet, kubeGetJson } from './kube-api.js';
import {
  BENTO_VERSION_LABEL,
  latestEvents,
  notFound,
  type LiveEvent,
  type LiveRevision,
  type LiveStatus,
} from './live-status.js';
import { candidateName } from '../targets/azure-aks/names.js';

/** The container name the stack gives the runtime (src/targets/azure-aks/workload.ts). */
const CONTAINER = 'runtime';

export interface AksWorkload {
  readonly namespace: string;
  readonly name: string;
  readonly access: () => Promise<KubeAccess>;
}

interface Metadata {
  readonly name?: string;
  readonly generation?: number;
  readonly creationTimestamp?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly ownerReferences?: readonly { readonly kind?: string; readonly name?: string }[];
}
interface Condition {
  readonly type?: string;
  readonly status?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastUpdateTime?: string;
  readonly lastTransitionTime?: string;
}
interface Deployment {
  readonly metadata?: Metadata;
  readonly spec?: { readonly replicas?: number };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly replicas?: number;
    readonly updatedReplicas?: number;
    readonly readyReplicas?: number;
    readonly availableReplicas?: number;
    readonly conditions?: readonly Condition[];
  };
}
interface ReplicaSet {
  readonly metadata?: Metadata;
  readonly spec?: {
    readonly replicas?: number;
    readonly template?: {
      readonly metadata?: Metadata;
      readonly spec?: { readonly containers?: readonly { readonly image?: string }[] };
    };
  };
  readonly status?: { readonly replicas?: number; readonly readyReplicas?: number };
}
interface Pod {
  readonly metadata?: Metadata;
  readonly status?: {
    readonly phase?: string;
    readonly containerStatuses?: readonly {
      readonly ready?: boolean;
      readonly restartCount?: number;
      readonly state?: {
        readonly waiting?: { readonly reason?: string; readonly message?: string };
      };
      readonly lastState?: {
        readonly terminated?: { readonly reason?: string; readonly exitCode?: number };
      };
    }[];
  };
}
interface KubeEvent {
  readonly involvedObject?: { readonly kind?: string; readonly name?: string };
  readonly type?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTimestamp?: string;
  readonly eventTime?: string;
  readonly count?: number;
}

/** `kubectl rollout status`'s verdict from the Deployment's status. */
export function rolloutState(deployment: Deployment): string {
  const status = deployment.status ?? {};
  const wanted = deployment.spec?.replicas ?? 0;
  const progressing = status.conditions?.find((condition) => condition.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    return 'failed: progress deadline exceeded';
  if ((status.observedGeneration ?? 0) < (deployment.metadata?.generation ?? 0))
    return 'waiting for the new spec to be observed';
  if ((status.updatedReplicas ?? 0) < wanted)
    return `in progress: ${status.updatedReplicas ?? 0} of ${wanted} updated`;
  if ((status.replicas ?? 0) > (status.updatedReplicas ?? 0))
    return `in progress: ${(status.replicas ?? 0) - (status.updatedReplicas ?? 0)} old replicas pending termination`;
  if ((status.availableReplicas ?? 0) < (status.updatedReplicas ?? 0))
    return `in progress: ${status.availableReplicas ?? 0} of ${status.updatedReplicas ?? 0} updated available`;
  return 'complete';
}

/** The workload's Deployments: the stable one, and the candidate while a release runs. */
interface Deployed {
  readonly role: DeploymentRole;
  readonly name: string;
  readonly deployment: Deployment;
}

/**
 * `old` for a revision its Deployment left; the current ones in release status's words (`stable`,
 * `candidate`) during a release, and `current` outside one, as before releases existed.
 */
function revisionRole(isCurrent: boolean, of: DeploymentRole, inRelease: boolean): string {
  if (!isCurrent) return 'old';
  if (of === 'candidate') return 'candidate';
  return inRelease ? 'stable' : 'current';
}

/**
 * The workload as the cluster shows it. During a release both Deployments count: desired and
 * running are their totals (what the endpoint's pods are, and what they cost; the revisions
 * split them per Deployment), and the rollout gives each one's verdict.
 */
export async function aksStatus(workload: AksWorkload): Promise<LiveStatus> {
  const access = await workload.access();
  const { namespace, name } = workload;
  const source = `Kubernetes Deployment ${name} in namespace ${namespace}`;
  const deployed: Deployed[] = [];
  for (const { role, name: deploymentName } of workloadDeployments(name)) {
    // The candidate exists only during a release: a 404 for it is the usual answer.
    const deployment = await kubeGetJson<Deployment>(access, {
      path: `/apis/apps/v1/namespaces/${namespace}/deployments/${deploymentName}`,
      verb: 'get',
      resource: 'deployments.apps',
      namespace,
    });
    if (deployment === undefined && role === 'stable')
      return notFound(source, `no Deployment ${name} in namespace ${namespace}: not applied?`);
    if (deployment !== undefined) deployed.push({ role, name: deploymentName, deployment });
  }
  const inRelease = deployed.some((entry) => entry.role === 'candidate');
  const selector = workloadSelector(name);
  const sets = await kubeGetJson<{ items?: ReplicaSet[] }>(access, {
    path: `/apis/apps/v1/namespaces/${namespace}/replicasets?labelSelector=${selector}`,
    verb: 'list',
    resource: 'replicasets.apps',
    namespace,
  });
  const pods = await kubeGetJson<{ items?: Pod[] }>(access, {
    path: `/api/v1/namespaces/${namespace}/pods?labelSelector=${selector}`,
    verb: 'list',
    resource: 'pods',
    namespace,
  });
  const events = await kubeGetJson<{ items?: KubeEvent[] }>(access, {
    path: `/api/v1/namespaces/${namespace}/events`,
    verb: 'list',
    resource: 'events',
    namespace,
  });
  const traffic = await aksTrafficShares(access, workload);

  const revisionOf = new Map<string, string>();
  const rows = (sets?.items ?? [])
    .filter((set) => (set.status?.replicas ?? 0) > 0 || (set.spec?.replicas ?? 0) > 0)
    .map((set) => {
      const owner = owningDeployment(set.metadata) ?? name;
      const number = set.metadata?.annotations?.[REVISION_ANNOTATION] ?? '?';
      const key = revisionKey(name, owner, number);
      revisionOf.set(set.metadata?.name ?? '', key);
      const current = deployed.find((entry) => entry.name === owner)?.deployment;
      const isCurrent = number === current?.metadata?.annotations?.[REVISION_ANNOTATION];
      return {
        stable: owner === name,
        revision: {
          id: `revision ${key} (${set.metadata?.name ?? '?'})`,
          image: set.spec?.template?.spec?.containers?.[0]?.image ?? null,
          bentoVersion: set.spec?.template?.metadata?.labels?.[BENTO_VERSION_LABEL] ?? null,
          desired: set.spec?.replicas ?? null,
          running: set.status?.readyReplicas ?? 0,
          // A Service spreads its share over the Deployment's ready pods, an old revision's too
          // while it rolls; the share is shown once, on the revision the Deployment rolls to.
          trafficPercent: isCurrent ? (traffic.shares?.get(owner) ?? null) : null,
          role: revisionRole(isCurrent, owner === name ? 'stable' : 'candidate', inRelease),
        } satisfies LiveRevision,
      };
    })
    // The stable Deployment's revisions first, as a split lists the stable revision first.
    .sort(
      (a, b) =>
        Number(b.stable) - Number(a.stable) ||
        b.revision.id.localeCompare(a.revision.id, undefined, { numeric: true }),
    );
  const revisions = rows.map((row) => row.revision);

  const instances = (pods?.items ?? []).map((pod) => {
    const container = pod.status?.containerStatuses?.[0];
    const waiting = container?.state?.waiting;
    const terminated = container?.lastState?.terminated;
    const owner =
      pod.metadata?.ownerReferences?.find((ref) => ref.kind === 'ReplicaSet')?.name ?? '';
    return {
      id: pod.metadata?.name ?? '?',
      state: waiting?.reason ?? pod.status?.phase ?? 'Unknown',
      health: [
        container?.ready === true ? 'ready' : 'not ready',
        container?.restartCount ? `${container.restartCount} restarts` : undefined,
        terminated === undefined
          ? undefined
          : `last exit ${terminated.exitCode ?? '?'} (${terminated.reason ?? '?'})`,
      ]
        .filter((part) => part !== undefined)
        .join(', '),
      revision: revisionOf.has(owner) ? `revision ${revisionOf.get(owner) ?? '?'}` : null,
    };
  });

  // `<name>-...` covers the candidate's objects too (`<name>-candidate-<hash>-<id>`).
  const ours = (event: KubeEvent) => {
    const object = event.involvedObject?.name ?? '';
    return object === name || object.startsWith(`${name}-`);
  };
  const liveEvents: LiveEvent[] = (events?.items ?? []).filter(ours).map((event) => ({
    time: event.lastTimestamp ?? event.eventTime ?? null,
    severity: event.type === 'Warning' ? 'error' : 'info',
    message:
      `${event.involvedObject?.kind ?? ''} ${event.involvedObject?.name ?? ''}: ${event.reason ?? ''} ${event.message ?? ''}${event.count && event.count > 1 ? ` (x${event.count})` : ''}`.trim(),
  }));
  for (const entry of deployed) {
    for (const condition of entry.deployment.status?.conditions ?? []) {
      if (condition.status === 'False' || condition.reason === 'ProgressDeadlineExceeded') {
        liveEvents.push({
          time: condition.lastUpdateTime ?? condition.lastTransitionTime ?? null,
          severity: 'error',
          message:
            `${entry.role === 'candidate' ? `Deployment ${entry.name}: ` : ''}${condition.type ?? 'condition'}: ${condition.reason ?? ''} ${condition.message ?? ''}`.trim(),
        });
      }
    }
  }
  const desired = deployed.map((entry) => entry.deployment.spec?.replicas);
  return {
    source: inRelease
      ? `Kubernetes Deployments ${name} and ${candidateName(name)} in namespace ${namespace}`
      : source,
    found: true,
    desired: desired.includes(undefined)
      ? null
      : desired.reduce<number>((sum, count) => sum + (count ?? 0), 0),
    running: deployed.reduce(
      (sum, entry) => sum + (entry.deployment.status?.readyReplicas ?? 0),
      0,
    ),
    rollout: deployed
      .map((entry) =>
        entry.role === 'candidate'
          ? `candidate ${rolloutState(entry.deployment)}`
          : rolloutState(entry.deployment),
      )
      .join('; '),
    revisions,
    instances,
    events: latestEvents(liveEvents),
    notes: traffic.unread === undefined ? [] : [`traffic split not read: ${traffic.unread}`],
  };
}

/** Lines of `pods/log?timestamps=true`: an RFC 3339 time, a space, the line. */
function parseLogLines(text: string, pod: string, revision: string | null): LogEntry[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const space = line.indexOf(' ');
      const stamp = space > 0 ? line.slice(0, space) : '';
      const timeMs = Date.parse(stamp);
      return entryFromLine(space > 0 ? line.slice(space + 1) : line, {
        // Same pod, same nanosecond time stamp and same text: the same line read again.
        id: `${pod}/${createHash('sha1').update(line).digest('hex')}`,
        timeMs: Number.isNaN(timeMs) ? 0 : timeMs,
        instance: pod,
        revision,
      });
    });
}

export function aksLogSource(workload: AksWorkload): LogSource {
  const { namespace, name } = workload;
  const selector = workloadSelector(name);
  return {
    description: `Kubernetes pod logs of Deployment ${name} (and ${candidateName(name)} during a release) in namespace ${namespace}`,
    async read(window: LogWindow): Promise<LogPage> {
      // Before any request: a --revision that names no Deployment of this workload is refused.
      const wanted =
        window.revision === undefined ? undefined : revisionFilter(window.revision, name);
      const access = await workload.access();
      const [pods, sets] = await Promise.all([
        kubeGetJson<{ items?: Pod[] }>(access, {
          path: `/api/v1/namespaces/${namespace}/pods?labelSelector=${selector}`,
          verb: 'list',
          resource: 'pods',
          namespace,
        }),
        kubeGetJson<{ items?: ReplicaSet[] }>(access, {
          path: `/apis/apps/v1/namespaces/${namespace}/replicasets?labelSelector=${selector}`,
          verb: 'list',
          resource: 'replicasets.apps',
          namespace,
        }),
      ]);
      const revisionOf = new Map<string, string>();
      for (const set of sets?.items ?? []) {
        const number = set.metadata?.annotations?.[REVISION_ANNOTATION];
        if (number !== undefined) {
          const owner = owningDeployment(set.metadata) ?? name;
          revisionOf.set(set.metadata?.name ?? '', revisionKey(name, owner, number));
        }
      }
      const sinceTime = new Date(Math.floor(window.startMs / 1000) * 1000)
        .toISOString()
        .replace('.000Z', 'Z');
      const entries: LogEntry[] = [];
      for (const pod of pods?.items ?? []) {
        const podName = pod.metadata?.name ?? '';
        const owner =
          pod.metadata?.ownerReferences?.find((ref) => ref.kind === 'ReplicaSet')?.name ?? '';
        const revision = revisionOf.get(owner) ?? null;
        if (wanted !== undefined && revision !== wanted) continue;
        const text = await kubeGet(access, {
          path: `/api/v1/namespaces/${namespace}/pods/${podName}/log?container=${CONTAINER}&timestamps=true&sinceTime=${encodeURIComponent(sinceTime)}&limitBytes=10485760`,
          verb: 'get',
          resource: 'pods/log',
          namespace,
        });
        entries.push(
          ...parseLogLines(text ?? '', podName, revision).filter(
            (entry) => entry.timeMs >= window.startMs,
          ),
        );
      }
      entries.sort((a, b) => a.timeMs - b.timeMs);
      return { entries: entries.slice(0, window.limit), truncated: entries.length > window.limit };
    },
  };
}
