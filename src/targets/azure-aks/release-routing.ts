/**
 * Canary and blue-green on azure-aks: two Deployments behind one endpoint, weighted by the AKS
 * Istio add-on's internal ingress gateway (ingress-gateway.ts), the traffic moved by bentoctl
 * through the `bentoctl_traffic` variable (src/targets/traffic-split.ts) as on Cloud Run.
 *
 * - The stable Deployment (`deployment`, named after the deployment, as under rolling) runs the
 *   revision the variable's first entry names. What that revision runs (image, environment,
 *   bento labels) is kept in the state by `terraform_data.stable_revision`, which ignores later
 *   values and is replaced, taking this stack's values, only when the stable revision changes
 *   (the first apply, a promote): so a new revision never touches the stable pods. When the
 *   stable revision is this stack's own, the Deployment takes the values written in the stack
 *   instead, so the plan of a promote shows the image it rolls to.
 * - The candidate Deployment (`<name>-candidate`) runs this stack's revision while a release is
 *   in progress (phase canary or waiting) and does not exist otherwise: abort and promote
 *   destroy it, after the routes moved away from it (create_before_destroy orders the destroy
 *   after its dependents' updates), and a canary's routes move to it only once it is rolled out.
 * - A Gateway on the add-on's gateway and a VirtualService split the requests between the two
 *   Services by the variable's percentages, and with runtime.grpc the gRPC calls by the same
 *   ones (on the gateway's port 80, to the Services' gRPC port). The candidate also has its own
 *   internal load balancer (`candidate_endpoint`, and its gRPC port), for `apply`'s wait and a
 *   smoke test before it takes traffic.
 *
 * A revision here is what the snapshot keeps: a change of the image, the runtime environment or
 * the bento starts a candidate; any other change (sizes, scaling, probes, secrets) applies to
 * both Deployments at once, as a rolling release would.
 */
import { DataResource, Fn, Op, TerraformOutput, TerraformVariable, Token } from 'cdktf';
import type { IResolvable, ITerraformDependable } from 'cdktf';
import { DataKubernetesServiceV1 } from '@cdktf/provider-kubernetes/lib/data-kubernetes-service-v1/index.js';
import { HorizontalPodAutoscalerV2 } from '@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2/index.js';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest/index.js';
import type { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1/index.js';
import type { Construct } from 'constructs';
import type { ReleaseConfig } from '../../config/release-schema.js';
import { candidateMaxReplicas } from './candidate-size.js';
import {
  CANDIDATE_ENDPOINT_OUTPUT,
  revisionName,
  settledSplit,
  TRAFFIC_PHASE_VARIABLE,
  TRAFFIC_VARIABLE,
  TRAFFIC_VARIABLE_TYPE,
} from '../traffic-split.js';
import {
  INGRESS_GATEWAY_HTTP_PORT,
  INGRESS_GATEWAY_SERVICE,
  ISTIO_NETWORKING_API,
} from './ingress-gateway.js';
import { candidateName } from './names.js';
import {
  addDeployment,
  addLoadBalancerService,
  TARGET_CPU_UTILIZATION,
  type PodRevision,
  type WorkloadProps,
} from './workload.js';

/** The phases in which a candidate runs (traffic-state.ts): a canary, or blue-green waiting. */
export const CANDIDATE_PHASES = ['canary', 'waiting'] as const;

/** What the stable pods run (from the state) and whether a candidate runs now. */
export interface ReleaseRouting {
  /** This stack's revision: `<name>-<12 hex>` of what the snapshot keeps. */
  readonly revision: string;
  readonly stable: PodRevision;
  /** Whether a candidate takes part in a release now (a Terraform expression). */
  readonly candidateActive: IResolvable;
  /** 1 while a candidate takes part in a release, else 0 (a Terraform expression). */
  readonly candidateCount: number;
  /** The stable revision's share, 0-100 (a Terraform expression). */
  readonly stablePercent: number;
}

/** The traffic variables and the stable revision's snapshot. */
export function addReleaseRouting(
  scope: Construct,
  props: { readonly workload: string; readonly pods: PodRevision },
): ReleaseRouting {
  const { pods } = props;
  const revision = revisionName(props.workload, {
    image: pods.image,
    environment: pods.environment,
    bento: pods.bentoLabels,
  });
  const traffic = new TerraformVariable(scope, TRAFFIC_VARIABLE, {
    type: TRAFFIC_VARIABLE_TYPE,
    default: settledSplit(revision),
    description:
      "Each revision's share of the requests, the stable one first; bentoctl sets it at plan time (bentoctl release status).",
  });
  const phase = new TerraformVariable(scope, TRAFFIC_PHASE_VARIABLE, {
    type: 'string',
    default: 'settled',
    description:
      'The release phase (settled, canary, waiting, aborted); the candidate Deployment runs in canary and waiting. bentoctl sets it at plan time.',
  });
  const stableEntry = Fn.element(traffic.listValue, 0);
  const snapshot = new DataResource(scope, 'stable_revision', {
    input: {
      revision,
      image: pods.image,
      environment: { ...pods.environment },
      bento_labels: { ...pods.bentoLabels },
    },
    // A new stable revision takes this stack's values (it is this stack's revision then);
    // otherwise the values of the revision that became stable are kept.
    triggersReplace: { stable_revision: Fn.lookup(stableEntry, 'revision') },
    lifecycle: { ignoreChanges: ['input'] },
  });
  // Settled on this stack's revision, the stable pods run this stack's values, written out so
  // the plan shows them (a replaced snapshot's output is known only after apply); during a
  // release, the values the snapshot kept.
  const settledHere = Op.eq(Fn.lookup(stableEntry, 'revision'), revision);
  const stableValue = (current: string, kept: unknown) =>
    Token.asString(Fn.conditional(settledHere, current, kept));
  const keptMap = (key: string) => Fn.lookup(snapshot.output, key);
  const active = Fn.contains([...CANDIDATE_PHASES], phase.stringValue);
  return {
    revision,
    stable: {
      image: stableValue(pods.image, keptMap('image')),
      // A variable the stable revision did not have gets today's value.
      environment: Object.fromEntries(
        Object.entries(pods.environment).map(([name, value]) => [
          name,
          stableValue(value, Fn.lookup(keptMap('environment'), name, value)),
        ]),
      ),
      bentoLabels: Object.fromEntries(
        Object.entries(pods.bentoLabels).map(([name, value]) => [
          name,
          stableValue(value, Fn.lookup(keptMap('bento_labels'), name, value)),
        ]),
      ),
    },
    candidateActive: active,
    candidateCount: Token.asNumber(Fn.conditional(active, 1, 0)),
    stablePercent: Token.asNumber(Fn.lookup(stableEntry, 'percent')),
  };
}

export interface CandidateProps {
  readonly workload: WorkloadProps;
  readonly routing: ReleaseRouting;
  readonly release: ReleaseConfig;
  readonly metadata: { name: string; namespace: string; labels: Record<string, string> };
  /** This stack's pods: what the candidate runs. */
  readonly pods: PodRevision;
}

/**
 * The candidate Deployment, its autoscaler (canary) and its own internal load balancer; none of
 * the pods exist outside a release or when terminated.
 */
export function addCandidate(
  scope: Construct,
  props: CandidateProps,
): { deployment: ITerraformDependable; service: InstanceType<typeof ServiceV1> } {
  const { workload, routing, metadata } = props;
  const { spec } = workload;
  const name = candidateName(metadata.name);
  const selector = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
  const count = workload.lifecycle.terminated ? 0 : routing.candidateCount;
  const canary = props.release.strategy === 'canary';
  const deployment = addDeployment(scope, workload, {
    id: 'candidate_deployment',
    name,
    selector,
    pods: props.pods,
    count,
    replicas: 1,
    createBeforeDestroy: true,
    autoscaled: canary,
  });
  // It scales by CPU like the stable pods, up to its share of max_instances.
  if (canary && !workload.lifecycle.terminated) {
    new HorizontalPodAutoscalerV2(scope, 'candidate_autoscaler', {
      count,
      metadata: { ...metadata, name, labels: { ...metadata.labels, ...selector } },
      spec: {
        minReplicas: 1,
        maxReplicas: candidateMaxReplicas(spec, props.release),
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
        metric: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: TARGET_CPU_UTILIZATION },
            },
          },
        ],
      },
      dependsOn: [deployment],
    });
  }
  // Kept between releases, so its address stays the same; it has no pods outside one. With
  // gRPC on it carries that port too, so a smoke test can call the candidate over gRPC.
  const service = addLoadBalancerService(scope, 'candidate_service', {
    spec,
    metadata: { ...metadata, name, labels: { ...metadata.labels, ...selector } },
    selector,
    grpcPort: workload.grpcPort,
  });
  return { deployment, service };
}

/**
 * The Gateway on the add-on's gateway and the weighted VirtualService over both Services: gRPC
 * calls (when on) and HTTP requests split by the same shares.
 */
export function addTrafficRoutes(
  scope: Construct,
  props: {
    readonly routing: ReleaseRouting;
    readonly metadata: { name: string; namespace: string; labels: Record<string, string> };
    readonly stableService: string;
    readonly candidateService: string;
    readonly servicePort: number;
    /**
     * The Services' gRPC port: gRPC calls reach the gateway on its HTTP port and are routed there.
     * @default - HTTP only
     */
    readonly grpcPort?: number | undefined;
    /** Both Deployments: routes move only once their pods rolled out. */
    readonly dependsOn: readonly ITerraformDependable[];
  },
): void {
  const { metadata } = props;
  const objectMeta = {
    name: metadata.name,
    namespace: metadata.namespace,
    labels: { ...metadata.labels },
  };
  const gateway = new Manifest(scope, 'gateway', {
    manifest: {
      apiVersion: ISTIO_NETWORKING_API,
      kind: 'Gateway',
      metadata: objectMeta,
      spec: {
        selector: { ...INGRESS_GATEWAY_SERVICE.selector },
        servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
      },
    },
  });
  const host = (service: string) => `${service}.${metadata.namespace}.svc.cluster.local`;
  const split = (port: number) => [
    {
      destination: { host: host(props.stableService), port: { number: port } },
      weight: props.routing.stablePercent,
    },
    {
      destination: { host: host(props.candidateService), port: { number: port } },
      weight: Token.asNumber(Op.sub(100, props.routing.stablePercent)),
    },
  ];
  // The add-on's gateway Service listens on 80 and 443 only (AKS reverts other ports), so gRPC
  // shares port 80: the gateway's HTTP listener accepts HTTP/2 cleartext, a gRPC call is known
  // by its content-type, and the Services' port named `grpc` gets HTTP/2 from the gateway.
  const grpcRoute =
    props.grpcPort === undefined
      ? []
      : [
          {
            name: 'grpc',
            match: [{ headers: { 'content-type': { prefix: 'application/grpc' } } }],
            route: split(props.grpcPort),
          },
        ];
  new Manifest(scope, 'virtual_service', {
    manifest: {
      apiVersion: ISTIO_NETWORKING_API,
      kind: 'VirtualService',
      metadata: objectMeta,
      spec: {
        hosts: ['*'],
        gateways: [metadata.name],
        // The first route that matches wins: gRPC before the catch-all HTTP route.
        http: [...grpcRoute, { name: 'release', route: split(props.servicePort) }],
      },
    },
    dependsOn: [gateway, ...props.dependsOn],
  });
}

/**
 * `endpoint` (the gateway's address), `candidate_endpoint` (while a candidate runs) and, with
 * gRPC on, `grpc_endpoint` (the gateway's HTTP port, which routes gRPC calls too).
 */
export function addRoutingOutputs(
  scope: Construct,
  props: {
    readonly routing: ReleaseRouting;
    /** `<namespace>/<service>` of the ingress gateway, from the cluster stack. */
    readonly ingressGateway: string;
    readonly candidateService: InstanceType<typeof ServiceV1>;
    /** Whether the runtime serves gRPC. @default false */
    readonly grpc?: boolean;
  },
): void {
  const parts = Fn.split('/', props.ingressGateway);
  const gateway = new DataKubernetesServiceV1(scope, 'ingress_gateway', {
    metadata: {
      namespace: Token.asString(Fn.element(parts, 0)),
      name: Token.asString(Fn.element(parts, 1)),
    },
  });
  const ip = gateway.status.get(0).loadBalancer.get(0).ingress.get(0).ip;
  new TerraformOutput(scope, 'endpoint', {
    value: `http://${ip}`,
    description:
      "URL of the cluster's internal Istio ingress gateway (reachable from the VNet), which splits the requests between the stable and the candidate Deployment",
  });
  if (props.grpc === true) {
    new TerraformOutput(scope, 'grpc_endpoint', {
      value: `${ip}:${INGRESS_GATEWAY_HTTP_PORT}`,
      description:
        "host:port of the gRPC service on the cluster's internal Istio ingress gateway (plaintext HTTP/2), split like the requests",
    });
  }
  const candidateIp = props.candidateService.status.get(0).loadBalancer.get(0).ingress.get(0).ip;
  new TerraformOutput(scope, CANDIDATE_ENDPOINT_OUTPUT, {
    // Null outside a release: there are no candidate pods to answer.
    value: Fn.conditional(
      props.routing.candidateActive,
      `http://${candidateIp}`,
      Token.nullValue(),
    ),
    description:
      "URL of the candidate Deployment's own internal load balancer while a candidate runs, null otherwise; for a smoke test before it takes traffic",
  });
}
