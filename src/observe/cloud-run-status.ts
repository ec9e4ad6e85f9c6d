/**
 * google-cloud-run live status: Cloud Run Admin API v2 services.get (traffic split, conditions,
 * latest ready and created revisions) and revisions.list (image, `bento-version` label and
 * scaling of each revision). Cloud Run does not report how many instances run; Cloud
 * Monitoring does, which bentoctl does not query.
 */
import type { GoogleCall } from './google-api.js';
import {
  BENTO_VERSION_LABEL,
  latestEvents,
  notFound,
  type LiveEvent,
  type LiveRevision,
  type LiveStatus,
} from './live-status.js';

const API = 'https://run.googleapis.com/v2';

export interface CloudRunStatusOptions {
  readonly project: string;
  readonly region: string;
  readonly service: string;
  readonly call: <T>(request: GoogleCall) => Promise<T | undefined>;
}

interface Condition {
  readonly type?: string;
  readonly state?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly revisionReason?: string;
  readonly lastTransitionTime?: string;
}

interface TrafficStatus {
  readonly type?: string;
  readonly revision?: string;
  readonly percent?: number;
  readonly tag?: string;
}

interface Service {
  readonly terminalCondition?: Condition;
  readonly conditions?: readonly Condition[];
  readonly latestReadyRevision?: string;
  readonly latestCreatedRevision?: string;
  readonly trafficStatuses?: readonly TrafficStatus[];
  readonly reconciling?: boolean;
  readonly template?: {
    readonly scaling?: { readonly minInstanceCount?: number; readonly maxInstanceCount?: number };
  };
}

interface Revision {
  readonly name?: string;
  readonly createTime?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly containers?: readonly { readonly image?: string }[];
  readonly scaling?: { readonly minInstanceCount?: number; readonly maxInstanceCount?: number };
  readonly conditions?: readonly Condition[];
}

const shortName = (name: string | undefined) => name?.split('/').pop() ?? '';

export async function cloudRunStatus(options: CloudRunStatusOptions): Promise<LiveStatus> {
  const path = `projects/${options.project}/locations/${options.region}/services/${options.service}`;
  const source = `Cloud Run service ${options.service} (project ${options.project}, ${options.region})`;
  const resource = `the Cloud Run service ${options.service} in project ${options.project}`;
  const service = await options.call<Service>({
    api: 'Cloud Run services.get',
    resource,
    role: 'roles/run.viewer',
    method: 'GET',
    url: `${API}/${path}`,
  });
  if (service === undefined) {
    return notFound(
      source,
      `Cloud Run has no service ${options.service} in ${options.region}: not applied?`,
    );
  }
  const listed = await options.call<{ revisions?: Revision[] }>({
    api: 'Cloud Run revisions.list',
    resource,
    role: 'roles/run.viewer',
    method: 'GET',
    url: `${API}/${path}/revisions?pageSize=20`,
  });

  const traffic = new Map<string, number>();
  for (const status of service.trafficStatuses ?? []) {
    const name =
      status.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST'
        ? shortName(service.latestReadyRevision)
        : shortName(status.revision);
    traffic.set(name, (traffic.get(name) ?? 0) + (status.percent ?? 0));
  }
  const latestReady = shortName(service.latestReadyRevision);
  const latestCreated = shortName(service.latestCreatedRevision);
  const revisions: LiveRevision[] = (listed?.revisions ?? [])
    .map((revision) => ({ revision, name: shortName(revision.name) }))
    // Revisions that serve, and the newest one (it may be the one failing to start).
    .filter(({ name }) => traffic.has(name) || name === latestCreated || name === latestReady)
    .map(({ revision, name }) => ({
      id: name,
      image: revision.containers?.[0]?.image ?? null,
      bentoVersion: revision.labels?.[BENTO_VERSION_LABEL] ?? null,
      desired: revision.scaling?.minInstanceCount ?? null,
      running: null,
      trafficPercent: traffic.get(name) ?? 0,
      role:
        [
          name === latestReady ? 'latest ready' : undefined,
          name === latestCreated && name !== latestReady ? 'latest created, not ready' : undefined,
        ]
          .filter((part) => part !== undefined)
          .join(', ') || 'serving',
    }));

  const events: LiveEvent[] = [];
  const conditions = [
    ...(service.terminalCondition === undefined ? [] : [service.terminalCondition]),
    ...(service.conditions ?? []),
  ];
  for (const condition of conditions) {
    const failed = condition.state === 'CONDITION_FAILED';
    events.push({
      time: condition.lastTransitionTime ?? null,
      severity: failed ? 'error' : condition.state === 'CONDITION_SUCCEEDED' ? 'info' : 'warning',
      message: `${condition.type ?? 'condition'} ${(condition.state ?? '').replace('CONDITION_', '').toLowerCase()}${
        condition.message ? `: ${condition.message}` : ''
      }`,
    });
  }
  const terminal = service.terminalCondition;
  const rollout =
    terminal === undefined
      ? null
      : terminal.state === 'CONDITION_SUCCEEDED'
        ? service.reconciling === true
          ? 'reconciling'
          : 'ready'
        : `${(terminal.state ?? '').replace('CONDITION_', '').toLowerCase()}${terminal.reason ? ` (${terminal.reason})` : ''}`;
  return {
    source,
    found: true,
    desired: service.template?.scaling?.minInstanceCount ?? null,
    running: null,
    rollout,
    revisions,
    instances: [],
    events: latestEvents(events),
    notes: [
      `scales between ${service.template?.scaling?.minInstanceCount ?? 0} and ${service.template?.scaling?.maxInstanceCount ?? '?'} instances; Cloud Run does not report the running count (Cloud Monitoring does)`,
    ],
  };
}
