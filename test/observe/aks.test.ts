/**
 * azure-aks: ARM listClusterUserCredential (scripted) gives a kubeconfig pointing at a local
 * HTTP server that answers as the Kubernetes API documents (Deployment, ReplicaSetList,
 * PodList, EventList, pods/log with timestamps, a Forbidden Status).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BentoctlError } from '../../src/errors/index.js';
import { aksKubeAccess } from '../../src/observe/aks-credentials.js';
import { aksLogSource, aksStatus, type AksWorkload } from '../../src/observe/aks-workload.js';
import { liveRows } from '../../src/observe/live-section.js';
import { scriptedFetch } from '../helpers/scripted-fetch.js';

const kubeconfig = (server: string) =>
  Buffer.from(
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: iris-prod-aks`,
      `  cluster: { server: "${server}", certificate-authority-data: ${Buffer.from('CA PEM').toString('base64')} }`,
      'users:',
      '- name: clusterUser_iris-prod-rg_iris-prod-aks',
      `  user: { client-certificate-data: ${Buffer.from('CERT PEM').toString('base64')}, client-key-data: ${Buffer.from('KEY PEM').toString('base64')} }`,
      'contexts: [{ name: iris-prod-aks, context: { cluster: iris-prod-aks, user: clusterUser_iris-prod-rg_iris-prod-aks } }]',
      'current-context: iris-prod-aks',
    ].join('\n'),
  ).toString('base64');

const labelsOf = (deployment: string) => ({
  'app.kubernetes.io/name': deployment,
  'app.kubernetes.io/instance': deployment,
});
const replicaSet = (
  hash: string,
  revision: string,
  replicas: number,
  ready: number,
  version: string,
  deployment = 'iris-prod',
) => ({
  metadata: {
    name: `${deployment}-${hash}`,
    labels: { ...labelsOf(deployment), 'pod-template-hash': hash },
    annotations: { 'deployment.kubernetes.io/revision': revision },
  },
  spec: {
    replicas,
    template: {
      metadata: { labels: { ...labelsOf(deployment), 'bento-version': version } },
      spec: {
        containers: [
          {
            name: 'runtime',
            image: `irisprodacr.azurecr.io/iris-prod@sha256:${version.repeat(32).slice(0, 64)}`,
          },
        ],
      },
    },
  },
  status: { replicas, readyReplicas: ready },
});
const pod = (
  name: string,
  hash: string,
  ready: boolean,
  waiting?: string,
  deployment = 'iris-prod',
) => ({
  metadata: {
    name,
    labels: { ...labelsOf(deployment), 'pod-template-hash': hash },
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: `${deployment}-${hash}`,
        controller: true,
      },
    ],
  },
  status: {
    phase: 'Running',
    containerStatuses: [
      {
        name: 'runtime',
        ready,
        restartCount: waiting === undefined ? 0 : 4,
        state:
          waiting === undefined
            ? { running: {} }
            : { waiting: { reason: waiting, message: 'back-off 40s restarting failed container' } },
        lastState: waiting === undefined ? {} : { terminated: { exitCode: 1, reason: 'Error' } },
      },
    ],
  },
});

const ROUTES: Record<string, unknown> = {
  '/apis/apps/v1/namespaces/bento/deployments/iris-prod': {
    kind: 'Deployment',
    metadata: {
      name: 'iris-prod',
      generation: 4,
      annotations: { 'deployment.kubernetes.io/revision': '4' },
    },
    spec: { replicas: 2 },
    status: {
      observedGeneration: 4,
      replicas: 3,
      updatedReplicas: 1,
      readyReplicas: 2,
      availableReplicas: 2,
      unavailableReplicas: 1,
      conditions: [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
        {
          type: 'Progressing',
          status: 'True',
          reason: 'ReplicaSetUpdated',
          message: 'ReplicaSet "iris-prod-bbb" is progressing.',
        },
      ],
    },
  },
  '/apis/apps/v1/namespaces/bento/replicasets': {
    kind: 'ReplicaSetList',
    items: [
      replicaSet('aaa', '3', 2, 2, 'a1'),
      replicaSet('bbb', '4', 1, 0, 'b2'),
      replicaSet('zzz', '2', 0, 0, 'z0'),
    ],
  },
  '/api/v1/namespaces/bento/pods': {
    kind: 'PodList',
    items: [
      pod('iris-prod-aaa-1', 'aaa', true),
      pod('iris-prod-aaa-2', 'aaa', true),
      pod('iris-prod-bbb-1', 'bbb', false, 'CrashLoopBackOff'),
    ],
  },
  '/api/v1/namespaces/bento/events': {
    kind: 'EventList',
    items: [
      {
        involvedObject: { kind: 'Pod', name: 'iris-prod-bbb-1' },
        type: 'Warning',
        reason: 'BackOff',
        message: 'Back-off restarting failed container runtime',
        lastTimestamp: '2026-12-01T08:04:00Z',
        count: 7,
      },
      {
        involvedObject: { kind: 'Deployment', name: 'iris-prod' },
        type: 'Normal',
        reason: 'ScalingReplicaSet',
        message: 'Scaled up replica set iris-prod-bbb to 1',
        lastTimestamp: '2026-12-01T08:00:00Z',
      },
      {
        involvedObject: { kind: 'Pod', name: 'other-app-1' },
        type: 'Warning',
        reason: 'Failed',
        lastTimestamp: '2026-12-01T08:05:00Z',
      },
    ],
  },
  '/api/v1/namespaces/bento/pods/iris-prod-aaa-1/log':
    '2026-12-01T08:00:01.000000001Z {"time":"2026-12-01T08:00:01.000Z","severity":"INFO","message":"request","requestId":"r1","status":200,"latencyMs":2}\n',
  '/api/v1/namespaces/bento/pods/iris-prod-aaa-2/log': '',
  '/api/v1/namespaces/bento/pods/iris-prod-bbb-1/log':
    '2026-12-01T08:00:02.500000000Z {"time":"2026-12-01T08:00:02.500Z","severity":"ERROR","message":"the models failed to load","error":"bad model"}\n',
};

/** A Deployment whose rollout is done: `ready` of `replicas` pods ready and available. */
const deployment = (name: string, revision: string, replicas: number, ready: number) => ({
  kind: 'Deployment',
  metadata: {
    name,
    generation: 1,
    annotations: { 'deployment.kubernetes.io/revision': revision },
  },
  spec: { replicas },
  status: {
    observedGeneration: 1,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: ready,
    availableReplicas: ready,
    conditions: [
      ready === replicas
        ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }
        : {
            type: 'Available',
            status: 'False',
            reason: 'MinimumReplicasUnavailable',
            message: 'Deployment does not have minimum availability.',
            lastUpdateTime: '2026-12-01T08:03:00Z',
          },
    ],
  },
});

/**
 * A first canary: the stable Deployment at its revision 1, the candidate at its own revision 1
 * (each Deployment counts from 1), its one pod ready or crash-looping.
 */
const canary = (candidateReady: boolean): Record<string, unknown> => ({
  '/apis/apps/v1/namespaces/bento/deployments/iris-prod': deployment('iris-prod', '1', 2, 2),
  '/apis/apps/v1/namespaces/bento/deployments/iris-prod-candidate': deployment(
    'iris-prod-candidate',
    '1',
    1,
    candidateReady ? 1 : 0,
  ),
  '/apis/apps/v1/namespaces/bento/replicasets': {
    kind: 'ReplicaSetList',
    items: [
      replicaSet('aaa', '1', 2, 2, 'a1'),
      replicaSet('ccc', '1', 1, candidateReady ? 1 : 0, 'c3', 'iris-prod-candidate'),
    ],
  },
  '/api/v1/namespaces/bento/pods': {
    kind: 'PodList',
    items: [
      pod('iris-prod-aaa-1', 'aaa', true),
      pod('iris-prod-aaa-2', 'aaa', true),
      pod(
        'iris-prod-candidate-ccc-1',
        'ccc',
        candidateReady,
        candidateReady ? undefined : 'CrashLoopBackOff',
        'iris-prod-candidate',
      ),
    ],
  },
  '/api/v1/namespaces/bento/events': {
    kind: 'EventList',
    items: candidateReady
      ? []
      : [
          {
            involvedObject: { kind: 'Pod', name: 'iris-prod-candidate-ccc-1' },
            type: 'Warning',
            reason: 'BackOff',
            message: 'Back-off restarting failed container runtime',
            lastTimestamp: '2026-12-01T08:04:00Z',
            count: 5,
          },
        ],
  },
  '/apis/networking.istio.io/v1/namespaces/bento/virtualservices/iris-prod': {
    kind: 'VirtualService',
    spec: {
      hosts: ['*'],
      gateways: ['iris-prod'],
      http: [
        {
          name: 'release',
          route: [
            {
              destination: { host: 'iris-prod.bento.svc.cluster.local', port: { number: 80 } },
              weight: 90,
            },
            {
              destination: {
                host: 'iris-prod-candidate.bento.svc.cluster.local',
                port: { number: 80 },
              },
              weight: 10,
            },
          ],
        },
      ],
    },
  },
  '/api/v1/namespaces/bento/pods/iris-prod-aaa-1/log':
    '2026-12-01T08:00:01.000000000Z {"time":"2026-12-01T08:00:01.000Z","severity":"INFO","message":"request","requestId":"r1","status":200,"latencyMs":2}\n',
  '/api/v1/namespaces/bento/pods/iris-prod-aaa-2/log': '',
  '/api/v1/namespaces/bento/pods/iris-prod-candidate-ccc-1/log':
    '2026-12-01T08:00:03.000000000Z {"time":"2026-12-01T08:00:03.000Z","severity":"ERROR","message":"request","requestId":"r2","status":500,"latencyMs":7}\n',
});

interface List {
  readonly items: readonly { readonly metadata: { readonly labels: Record<string, string> } }[];
}

/** A list's items that a label selector (`k=v`, `k in (a,b)`, comma-separated) picks. */
function selected(list: List, selector: string): List {
  const terms = selector.split(/,(?![^(]*\))/).map((term) => {
    const set = /^(\S+) in \((.*)\)$/.exec(term);
    const [key, values] = set === null ? term.split('=') : [set[1], set[2]];
    return { key: key ?? '', values: (values ?? '').split(',') };
  });
  return {
    ...list,
    items: list.items.filter((item) =>
      terms.every(({ key, values }) => values.includes(item.metadata.labels[key] ?? '')),
    ),
  };
}

describe('azure-aks through the Kubernetes API', () => {
  let server: Server;
  let url: string;
  const requests: string[] = [];
  let forbidden: string | undefined;
  /** Answers in place of ROUTES' for the test that sets them. */
  let routes: Record<string, unknown> = ROUTES;
  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push(request.url ?? '');
      const requested = new URL(request.url ?? '/', 'http://x');
      const path = requested.pathname;
      if (forbidden !== undefined && path.endsWith(forbidden)) {
        response.writeHead(403, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            message:
              'pods is forbidden: User "clusterUser" cannot list resource "pods" in API group "" in the namespace "bento"',
            reason: 'Forbidden',
            details: { kind: 'pods' },
            code: 403,
          }),
        );
        return;
      }
      const body = routes[path];
      if (body === undefined) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end('{"kind":"Status","code":404,"reason":"NotFound","message":"not found"}');
        return;
      }
      response.writeHead(200, {
        'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
      });
      const selector = requested.searchParams.get('labelSelector');
      response.end(
        typeof body === 'string'
          ? body
          : JSON.stringify(selector === null ? body : selected(body as List, selector)),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(
    async () =>
      new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
  );
  beforeEach(() => {
    requests.length = 0;
    forbidden = undefined;
    routes = ROUTES;
  });

  const workload = (): AksWorkload => ({
    namespace: 'bento',
    name: 'iris-prod',
    access: async () => {
      const { fetch } = scriptedFetch([
        [200, { kubeconfigs: [{ name: 'clusterUser', value: kubeconfig(url) }] }],
      ]);
      return aksKubeAccess(
        { subscriptionId: 'sub-1', resourceGroup: 'iris-prod-rg', name: 'iris-prod-aks' },
        'arm-token',
        fetch,
      );
    },
  });

  it('GIVEN listClusterUserCredential WHEN asked THEN the kubeconfig gives server, CA and client certificate', async () => {
    const { fetch, calls } = scriptedFetch([
      [200, { kubeconfigs: [{ name: 'clusterUser', value: kubeconfig(url) }] }],
    ]);

    const access = await aksKubeAccess(
      { subscriptionId: 'sub-1', resourceGroup: 'iris-prod-rg', name: 'iris-prod-aks' },
      'arm-token',
      fetch,
    );

    expect(calls[0]).toMatchObject({
      method: 'POST',
      url: 'https://management.azure.com/subscriptions/sub-1/resourceGroups/iris-prod-rg/providers/Microsoft.ContainerService/managedClusters/iris-prod-aks/listClusterUserCredential?api-version=2024-05-01',
      authorization: 'Bearer arm-token',
    });
    expect(access).toEqual({ server: url, ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' });
  });

  it('GIVEN a 403 from ARM THEN CLOUD_ACCESS_DENIED names the Cluster User role', async () => {
    const { fetch } = scriptedFetch([
      [403, { error: { code: 'AuthorizationFailed', message: 'does not have authorization' } }],
    ]);

    const error = (await aksKubeAccess(
      { subscriptionId: 's', resourceGroup: 'g', name: 'c' },
      't',
      fetch,
    ).catch((e: unknown) => e)) as BentoctlError;

    expect(error.code).toBe('CLOUD_ACCESS_DENIED');
    expect(error.hint).toContain(
      'listClusterUserCredential/action (the Azure Kubernetes Service Cluster User Role)',
    );
  });

  it('GIVEN a rollout with a crashing new pod WHEN asked THEN revisions, pods and the warning show', async () => {
    const live = await aksStatus(workload());

    expect(live).toMatchObject({
      found: true,
      desired: 2,
      running: 2,
      rollout: 'in progress: 1 of 2 updated',
    });
    expect(live.revisions.map((r) => [r.id, r.role, r.running, r.desired, r.bentoVersion])).toEqual(
      [
        ['revision 4 (iris-prod-bbb)', 'current', 0, 1, 'b2'],
        ['revision 3 (iris-prod-aaa)', 'old', 2, 2, 'a1'],
      ],
    );
    expect(live.instances).toContainEqual({
      id: 'iris-prod-bbb-1',
      state: 'CrashLoopBackOff',
      health: 'not ready, 4 restarts, last exit 1 (Error)',
      revision: 'revision 4',
    });
    expect(live.events[0]).toMatchObject({
      severity: 'error',
      message: 'Pod iris-prod-bbb-1: BackOff Back-off restarting failed container runtime (x7)',
    });
    expect(live.events.map((event) => event.message).join('\n')).not.toContain('other-app');
    // Outside a release the candidate's Deployment is not found, and that is no failure; nor is
    // a rolling deployment's lack of a VirtualService.
    expect(live.revisions.map((r) => r.trafficPercent)).toEqual([null, null]);
    expect(live.notes).toEqual([]);
    expect(requests).toContain('/apis/apps/v1/namespaces/bento/deployments/iris-prod-candidate');
    expect(live.source).toBe('Kubernetes Deployment iris-prod in namespace bento');
    expect(requests).toContain(
      `/api/v1/namespaces/bento/pods?labelSelector=${encodeURIComponent('app.kubernetes.io/name in (iris-prod,iris-prod-candidate),app.kubernetes.io/instance in (iris-prod,iris-prod-candidate)')}`,
    );
  });

  it('GIVEN a canary whose candidate is ready WHEN asked THEN both Deployments show: totals, each rollout, stable and candidate revisions, all pods', async () => {
    routes = canary(true);

    const live = await aksStatus(workload());

    expect(live).toMatchObject({
      source: 'Kubernetes Deployments iris-prod and iris-prod-candidate in namespace bento',
      found: true,
      desired: 3,
      running: 3,
      rollout: 'complete; candidate complete',
      events: [],
    });
    // Both are revision 1 of their Deployment; the candidate's is named by its Deployment. The
    // shares are the VirtualService's weights.
    expect(
      live.revisions.map((r) => [
        r.id,
        r.role,
        r.running,
        r.desired,
        r.bentoVersion,
        r.trafficPercent,
      ]),
    ).toEqual([
      ['revision 1 (iris-prod-aaa)', 'stable', 2, 2, 'a1', 90],
      ['revision iris-prod-candidate:1 (iris-prod-candidate-ccc)', 'candidate', 1, 1, 'c3', 10],
    ]);
    expect(live.notes).toEqual([]);
    expect(live.instances.map((i) => [i.id, i.state, i.health, i.revision])).toEqual([
      ['iris-prod-aaa-1', 'Running', 'ready', 'revision 1'],
      ['iris-prod-aaa-2', 'Running', 'ready', 'revision 1'],
      ['iris-prod-candidate-ccc-1', 'Running', 'ready', 'revision iris-prod-candidate:1'],
    ]);
  });

  it('GIVEN a canary whose candidate crash-loops WHEN asked THEN its rollout, pod, events and condition say so, beside a healthy stable', async () => {
    routes = canary(false);

    const live = await aksStatus(workload());
    const rows = liveRows({ live, liveError: null, liveExitCode: 0 });

    expect(live).toMatchObject({
      desired: 3,
      running: 2,
      rollout: 'complete; candidate in progress: 0 of 1 updated available',
    });
    expect(live.instances).toContainEqual({
      id: 'iris-prod-candidate-ccc-1',
      state: 'CrashLoopBackOff',
      health: 'not ready, 4 restarts, last exit 1 (Error)',
      revision: 'revision iris-prod-candidate:1',
    });
    expect(live.events.map((event) => [event.severity, event.message])).toEqual([
      [
        'error',
        'Pod iris-prod-candidate-ccc-1: BackOff Back-off restarting failed container runtime (x5)',
      ],
      [
        'error',
        'Deployment iris-prod-candidate: Available: MinimumReplicasUnavailable Deployment does not have minimum availability.',
      ],
    ]);
    // What `bentoctl status` prints of it.
    expect(rows).toContainEqual([
      'instances',
      '2 running of 3 desired; rollout complete; candidate in progress: 0 of 1 updated available',
    ]);
    expect(rows.filter(([label]) => label === 'revision').map(([, text]) => text)).toEqual([
      `revision 1 (iris-prod-aaa): stable, 2/2 running, 90% traffic, bento a1, irisprodacr.azurecr.io/iris-prod@sha256:${'a1'.repeat(32)}`,
      `revision iris-prod-candidate:1 (iris-prod-candidate-ccc): candidate, 0/1 running, 10% traffic, bento c3, irisprodacr.azurecr.io/iris-prod@sha256:${'c3'.repeat(32)}`,
    ]);
  });

  it('GIVEN a canary deployment between releases WHEN asked THEN the stable revision is current, with all the traffic, and no candidate shows', async () => {
    const settled = canary(true);
    routes = {
      ...settled,
      '/apis/apps/v1/namespaces/bento/deployments/iris-prod-candidate': undefined,
      '/apis/apps/v1/namespaces/bento/replicasets': {
        kind: 'ReplicaSetList',
        items: [replicaSet('aaa', '1', 2, 2, 'a1')],
      },
      '/api/v1/namespaces/bento/pods': {
        kind: 'PodList',
        items: [pod('iris-prod-aaa-1', 'aaa', true), pod('iris-prod-aaa-2', 'aaa', true)],
      },
      '/apis/networking.istio.io/v1/namespaces/bento/virtualservices/iris-prod': {
        spec: {
          http: [
            {
              name: 'release',
              route: [
                { destination: { host: 'iris-prod.bento.svc.cluster.local' }, weight: 100 },
                { destination: { host: 'iris-prod-candidate.bento.svc.cluster.local' }, weight: 0 },
              ],
            },
          ],
        },
      },
    };

    const live = await aksStatus(workload());

    expect(live).toMatchObject({
      source: 'Kubernetes Deployment iris-prod in namespace bento',
      desired: 2,
      running: 2,
      rollout: 'complete',
    });
    expect(live.revisions.map((r) => [r.id, r.role, r.trafficPercent])).toEqual([
      ['revision 1 (iris-prod-aaa)', 'current', 100],
    ]);
  });

  it('GIVEN RBAC forbids reading the VirtualService WHEN asked THEN the rest shows, and a note says why the shares are missing', async () => {
    routes = canary(true);
    forbidden = '/virtualservices/iris-prod';

    const live = await aksStatus(workload());

    expect(live.revisions.map((r) => [r.role, r.trafficPercent])).toEqual([
      ['stable', null],
      ['candidate', null],
    ]);
    expect(live.instances).toHaveLength(3);
    expect(live.notes).toHaveLength(1);
    expect(live.notes[0]).toMatch(/^traffic split not read: /);
    expect(live.notes[0]).toContain(
      'the RBAC verb `get` on virtualservices.networking.istio.io in namespace bento',
    );
  });

  it("GIVEN pod logs WHEN read for revision 4 THEN only that revision's pods are read, since the window start", async () => {
    const source = aksLogSource(workload());

    const all = await source.read({ startMs: Date.parse('2026-12-01T08:00:00.400Z'), limit: 100 });
    requests.length = 0;
    const four = await source.read({
      startMs: Date.parse('2026-12-01T08:00:00Z'),
      revision: '4',
      limit: 100,
    });

    expect(all.entries.map((entry) => [entry.instance, entry.severity, entry.revision])).toEqual([
      ['iris-prod-aaa-1', 'INFO', '3'],
      ['iris-prod-bbb-1', 'ERROR', '4'],
    ]);
    expect(four.entries.map((entry) => entry.instance)).toEqual(['iris-prod-bbb-1']);
    expect(requests.filter((path) => path.includes('/log'))).toEqual([
      '/api/v1/namespaces/bento/pods/iris-prod-bbb-1/log?container=runtime&timestamps=true&sinceTime=2026-12-01T08%3A00%3A00Z&limitBytes=10485760',
    ]);
  });

  it("GIVEN a canary WHEN logs are read THEN both Deployments' pods are, each line with its own revision, and --revision picks one", async () => {
    routes = canary(false);
    const source = aksLogSource(workload());
    const startMs = Date.parse('2026-12-01T08:00:00Z');
    const logPaths = () =>
      requests.filter((path) => path.includes('/log')).map((path) => path.split('?')[0]);

    const all = await source.read({ startMs, limit: 100 });
    requests.length = 0;
    const candidate = await source.read({ startMs, revision: 'iris-prod-candidate:1', limit: 100 });
    const candidatePaths = logPaths();
    requests.length = 0;
    const stable = await source.read({ startMs, revision: '1', limit: 100 });
    const stablePaths = logPaths();
    const stableByName = await source.read({ startMs, revision: 'iris-prod:1', limit: 100 });

    expect(all.entries.map((entry) => [entry.instance, entry.severity, entry.revision])).toEqual([
      ['iris-prod-aaa-1', 'INFO', '1'],
      ['iris-prod-candidate-ccc-1', 'ERROR', 'iris-prod-candidate:1'],
    ]);
    expect(candidate.entries.map((entry) => entry.instance)).toEqual(['iris-prod-candidate-ccc-1']);
    expect(candidatePaths).toEqual(['/api/v1/namespaces/bento/pods/iris-prod-candidate-ccc-1/log']);
    expect(stable.entries.map((entry) => entry.instance)).toEqual(['iris-prod-aaa-1']);
    expect(stablePaths).toEqual([
      '/api/v1/namespaces/bento/pods/iris-prod-aaa-1/log',
      '/api/v1/namespaces/bento/pods/iris-prod-aaa-2/log',
    ]);
    expect(stableByName.entries).toEqual(stable.entries);
  });

  it('GIVEN a --revision that names no Deployment of the workload WHEN logs are read THEN FLAG_INVALID says the forms, before any request', async () => {
    const source = aksLogSource(workload());

    const errors = await Promise.all(
      ['other-app:1', 'iris-prod-candidate', 'latest'].map(
        async (revision) =>
          (await source
            .read({ startMs: 0, revision, limit: 10 })
            .catch((e: unknown) => e)) as BentoctlError,
      ),
    );

    expect(errors.map((error) => error.code)).toEqual([
      'FLAG_INVALID',
      'FLAG_INVALID',
      'FLAG_INVALID',
    ]);
    expect(errors[0]?.message).toBe(
      '--revision "other-app:1": expected a Deployment revision: 4 or iris-prod:4 for the stable Deployment, iris-prod-candidate:1 for a release\'s candidate.',
    );
    expect(requests).toEqual([]);
  });

  it('GIVEN RBAC forbids listing pods WHEN logs are read THEN CLOUD_ACCESS_DENIED names the verb and resource', async () => {
    forbidden = '/pods';

    const error = (await aksLogSource(workload())
      .read({ startMs: 0, limit: 10 })
      .catch((e: unknown) => e)) as BentoctlError;

    expect(error).toBeInstanceOf(BentoctlError);
    expect(error.code).toBe('CLOUD_ACCESS_DENIED');
    expect(error.hint).toContain('the RBAC verb `list` on pods in namespace bento');
    expect(error.message).toContain('cannot list resource "pods"');
  });
});
