/**
 * The workload on the cluster: namespace, Deployment, LoadBalancer Service, HPA and PDB.
 * Pods run as a non-root user on a read-only root filesystem with every capability dropped
 * (the namespace enforces the "restricted" Pod Security Standard), are probed on the runtime's
 * health endpoints and get as much time to drain on shutdown as a request may take.
 */
import { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1/index.js';
import { HorizontalPodAutoscalerV2 } from '@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2/index.js';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1/index.js';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1/index.js';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1/index.js';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1/index.js';
import type { DeploymentV1SpecTemplateSpecContainerEnv } from '@cdktf/provider-kubernetes/lib/deployment-v1/index-structs/index.js';
import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { GPU_NODE_LABEL, GPU_TAINT } from './cluster.js';
import {
  SECRETS_STORE_DRIVER,
  WORKLOAD_IDENTITY_LABEL,
  type RuntimeSecret,
} from './key-vault-csi.js';
import type { StackLifecycle } from '../synthesizer.js';
import type { AzureAksSpec } from './spec.js';

/** The HPA adds pods above this average CPU use (percent of the request). */
export const TARGET_CPU_UTILIZATION = 70;
/** Container user; matches the runtime image's non-root user. */
export const RUNTIME_UID = '1000';
/** Scratch space for ONNX Runtime and Node.js on the otherwise read-only filesystem. */
export const TMP_SIZE_LIMIT = '1Gi';
export const INTERNAL_LB_ANNOTATION = 'service.beta.kubernetes.io/azure-load-balancer-internal';
/** Startup allows 5 minutes for loading models before liveness takes over. */
export const STARTUP_PROBE = { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 60 };
export const READINESS_PROBE = { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 };
export const LIVENESS_PROBE = { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 };
/** SIGTERM stops intake and drains the queue; this bounds how long that may take. */
export const TERMINATION_GRACE_SECONDS = 60;

export interface WorkloadProps {
  readonly spec: AzureAksSpec;
  readonly name: string;
  /** The namespace's name as a reference, so everything waits for the namespace. */
  readonly namespace: string;
  readonly image: string;
  readonly port: number;
  /** The runtime's gRPC port: a container port and a Service port of that number. @default - HTTP only */
  readonly grpcPort?: number | undefined;
  readonly gpu: boolean;
  readonly environment: Readonly<Record<string, string>>;
  readonly secret: RuntimeSecret | undefined;
  /** Name of a `kubernetes.io/dockerconfigjson` secret for a registry other than ACR. */
  readonly imagePullSecret?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The bento's labels, on the Deployment and its pods only (see `bentoLabels`). */
  readonly bentoLabels: Readonly<Record<string, string>>;
  readonly selector: Readonly<Record<string, string>>;
  /** What must exist before pods can start: image pull rights, GPU nodes and their plugin. */
  readonly dependsOn: readonly ITerraformDependable[];
  /** Terminated: no pods; restoring: the replica count set outright (see addDeployment). */
  readonly lifecycle: StackLifecycle;
  /**
   * Canary and blue-green (release-routing.ts): what the stable Deployment runs, kept in the
   * state, and the Service becomes a ClusterIP one behind the mesh's ingress gateway.
   * @default - the Deployment runs `image`, `environment` and `bentoLabels` (rolling)
   */
  readonly stable?: PodRevision;
}

/** What one revision's pods run: the parts that make a new revision on azure-aks. */
export interface PodRevision {
  readonly image: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly bentoLabels: Readonly<Record<string, string>>;
}

/** One Deployment of the workload: the stable one, or a release's candidate. */
export interface DeploymentShape {
  /** Logical ID in the stack. */
  readonly id: string;
  readonly name: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly pods: PodRevision;
  /** How many exist (a candidate only while it takes part). @default - one, unconditionally */
  readonly count?: number;
  /** Replicas when created; an autoscaler owns them afterwards. @default spec.min_instances */
  readonly replicas?: number;
  /**
   * Destroyed only after what depends on it changed (the routes moved away from it).
   * @default false
   */
  readonly createBeforeDestroy?: boolean;
  /** The HPA owns the replica count after creation. @default true */
  readonly autoscaled?: boolean;
}

/** The workload's namespace, where the restricted Pod Security Standard is enforced. */
export function addNamespace(
  scope: Construct,
  props: {
    name: string;
    labels: Readonly<Record<string, string>>;
    /** What must exist before the API server takes requests from Terraform. */
    dependsOn?: readonly ITerraformDependable[];
  },
): InstanceType<typeof NamespaceV1> {
  return new NamespaceV1(scope, 'namespace', {
    ...(props.dependsOn !== undefined && props.dependsOn.length > 0
      ? { dependsOn: [...props.dependsOn] }
      : {}),
    metadata: {
      name: props.name,
      labels: {
        ...props.labels,
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
      },
    },
  });
}

export interface Workload {
  readonly deployment: InstanceType<typeof DeploymentV1>;
  readonly service: InstanceType<typeof ServiceV1>;
}

export function addWorkload(scope: Construct, props: WorkloadProps): Workload {
  const { spec, name, labels, selector } = props;
  const metadata = { name, namespace: props.namespace, labels: { ...labels } };

  const deployment = addDeployment(scope, props, {
    id: 'deployment',
    name,
    selector,
    pods: props.stable ?? {
      image: props.image,
      environment: props.environment,
      bentoLabels: props.bentoLabels,
    },
  });

  // Behind the mesh's gateway (canary, blue-green) the stable pods need only a cluster address.
  const service =
    props.stable === undefined
      ? addLoadBalancerService(scope, 'service', {
          spec,
          metadata,
          selector,
          grpcPort: props.grpcPort,
        })
      : new ServiceV1(scope, 'service', {
          metadata,
          spec: {
            type: 'ClusterIP',
            selector: { ...selector },
            port: servicePorts(spec.service_port, props.grpcPort),
          },
        });

  // An HPA cannot hold a Deployment at zero replicas: a terminated workload has none.
  if (!props.lifecycle.terminated)
    new HorizontalPodAutoscalerV2(scope, 'autoscaler', {
      metadata,
      spec: {
        minReplicas: spec.min_instances,
        maxReplicas: spec.max_instances,
        scaleTargetRef: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: deployment.metadata.name,
        },
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
    });

  if (spec.network_policy === 'cilium') addNetworkPolicy(scope, props, metadata);

  // maxUnavailable rather than minAvailable: with one replica, minAvailable 1 would block
  // every node drain and so every cluster upgrade.
  new PodDisruptionBudgetV1(scope, 'disruption_budget', {
    metadata,
    spec: { maxUnavailable: '1', selector: { matchLabels: { ...selector } } },
  });
  return { deployment, service };
}

/**
 * The LoadBalancer Service in front of `selector`'s pods: internal unless the spec says
 * `public`, limited to `allowed_cidrs`.
 */
export function addLoadBalancerService(
  scope: Construct,
  id: string,
  props: {
    spec: AzureAksSpec;
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    selector: Readonly<Record<string, string>>;
    /** A second port for the runtime's gRPC service. @default - HTTP only */
    grpcPort?: number | undefined;
  },
): InstanceType<typeof ServiceV1> {
  const { spec } = props;
  return new ServiceV1(scope, id, {
    metadata: {
      ...props.metadata,
      // Internal unless asked: reachable from the VNet (and peered networks), not the internet.
      annotations: spec.public ? {} : { [INTERNAL_LB_ANNOTATION]: 'true' },
    },
    spec: {
      type: 'LoadBalancer',
      selector: { ...props.selector },
      port: servicePorts(spec.service_port, props.grpcPort),
      ...(spec.allowed_cidrs.length > 0
        ? { loadBalancerSourceRanges: [...spec.allowed_cidrs] }
        : {}),
    },
  });
}

/**
 * A Service's ports: HTTP on `servicePort`, and gRPC on its own number when on. The name `grpc`
 * is what tells the Istio gateway (canary, blue-green) to speak HTTP/2 to that port.
 */
function servicePorts(servicePort: number, grpcPort: number | undefined) {
  return [
    { name: 'http', port: servicePort, targetPort: 'http', protocol: 'TCP' },
    ...(grpcPort === undefined
      ? []
      : [{ name: 'grpc', port: grpcPort, targetPort: 'grpc', protocol: 'TCP' }]),
  ];
}

/** A Deployment of the runtime: `shape` says which pods, under which name and selector. */
export function addDeployment(
  scope: Construct,
  props: WorkloadProps,
  shape: DeploymentShape,
): InstanceType<typeof DeploymentV1> {
  const { spec, port, gpu, secret } = props;
  const { pods } = shape;
  // The selector's keys are in props.labels too; a candidate's own values replace them.
  const labels = { ...props.labels, ...shape.selector };
  const metadata = { name: shape.name, namespace: props.namespace, labels };
  const autoscaled = shape.autoscaled ?? true;
  // The HPA owns the count, except that terminating and restoring set it themselves: the HPA
  // ignores a Deployment at zero replicas, so a restore must raise it before the HPA takes over.
  const lifecycle = {
    ...(autoscaled && !props.lifecycle.terminated && !props.lifecycle.restoring
      ? { ignoreChanges: ['spec[0].replicas'] }
      : {}),
    ...(shape.createBeforeDestroy === true ? { createBeforeDestroy: true } : {}),
  };
  const resources = {
    cpu: `${spec.cpu_millicores}m`,
    memory: `${spec.memory}Mi`,
    ...(gpu ? { 'nvidia.com/gpu': '1' } : {}),
  };
  const probe = (path: string) => ({ httpGet: { path, port: 'http' } });
  return new DeploymentV1(scope, shape.id, {
    ...(shape.count === undefined ? {} : { count: shape.count }),
    metadata: { ...metadata, labels: { ...metadata.labels, ...pods.bentoLabels } },
    spec: {
      // The HPA owns the replica count after creation (see lifecycle above).
      replicas: String(props.lifecycle.terminated ? 0 : (shape.replicas ?? spec.min_instances)),
      revisionHistoryLimit: 5,
      selector: { matchLabels: { ...shape.selector } },
      strategy: {
        type: 'RollingUpdate',
        // GPU nodes rarely have a spare GPU for a surge pod, so GPU rollouts replace in place.
        rollingUpdate: gpu
          ? { maxSurge: '0', maxUnavailable: '1' }
          : { maxSurge: '25%', maxUnavailable: '0' },
      },
      template: {
        metadata: {
          labels: {
            ...labels,
            ...pods.bentoLabels,
            // The workload identity webhook gives these pods the token the CSI volume signs in with.
            ...(secret !== undefined ? { [WORKLOAD_IDENTITY_LABEL]: 'true' } : {}),
          },
          ...(secret !== undefined
            ? { annotations: { 'bentoctl.dev/secret-versions': secret.versionsHash } }
            : {}),
        },
        spec: {
          // The runtime never calls the Kubernetes API.
          automountServiceAccountToken: false,
          ...(secret !== undefined ? { serviceAccountName: secret.serviceAccountName } : {}),
          ...(props.imagePullSecret !== undefined
            ? { imagePullSecrets: [{ name: props.imagePullSecret }] }
            : {}),
          // Service links would inject <SERVICE>_PORT variables next to the runtime's own.
          enableServiceLinks: false,
          terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUNTIME_UID,
            runAsGroup: RUNTIME_UID,
            fsGroup: RUNTIME_UID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          ...(gpu
            ? {
                nodeSelector: { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value },
                toleration: [{ key: GPU_TAINT.key, operator: 'Exists', effect: GPU_TAINT.effect }],
              }
            : {}),
          topologySpreadConstraint: [
            {
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: [{ matchLabels: { ...shape.selector } }],
            },
          ],
          container: [
            {
              name: 'runtime',
              image: pods.image,
              port: [
                { name: 'http', containerPort: port, protocol: 'TCP' },
                ...(props.grpcPort === undefined
                  ? []
                  : [{ name: 'grpc', containerPort: props.grpcPort, protocol: 'TCP' }]),
              ],
              env: containerEnv(pods.environment, secret),
              resources: { requests: resources, limits: resources },
              startupProbe: { ...probe('/livez'), ...STARTUP_PROBE },
              readinessProbe: { ...probe('/readyz'), ...READINESS_PROBE },
              livenessProbe: { ...probe('/livez'), ...LIVENESS_PROBE },
              securityContext: {
                runAsNonRoot: true,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMount: [
                { name: 'tmp', mountPath: '/tmp' },
                ...(secret?.volumes ?? []).map((volume) => ({
                  name: volume.name,
                  mountPath: volume.mountPath,
                  readOnly: true,
                })),
              ],
            },
          ],
          volume: [
            { name: 'tmp', emptyDir: { sizeLimit: TMP_SIZE_LIMIT } },
            // Key Vault secrets, mounted (and synced into their Secrets) by the CSI driver.
            ...(secret?.volumes ?? []).map((volume) => ({
              name: volume.name,
              csi: {
                driver: SECRETS_STORE_DRIVER,
                readOnly: true,
                volumeAttributes: { secretProviderClass: volume.secretProviderClass },
              },
            })),
          ],
        },
      },
    },
    ...(lifecycle.ignoreChanges !== undefined || lifecycle.createBeforeDestroy !== undefined
      ? { lifecycle }
      : {}),
    dependsOn: [...props.dependsOn],
  });
}

/** Plain and secret variables in one list sorted by name, so reordering never shows as a diff. */
function containerEnv(
  environment: Readonly<Record<string, string>>,
  secret: RuntimeSecret | undefined,
): DeploymentV1SpecTemplateSpecContainerEnv[] {
  const plain = Object.entries(environment).map(([name, value]) => ({ name, value }));
  const fromSecret = (secret?.env ?? []).map(({ name, secretName }) => ({
    name,
    valueFrom: { secretKeyRef: { name: secretName, key: name } },
  }));
  return [...plain, ...fromSecret].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Every pod in the namespace admits only TCP to the runtime port (and its gRPC port when on;
 * the load balancer's source
 * ranges decide from where) and reaches only DNS: the runtime makes no outbound calls, so a
 * compromised pod cannot reach the rest of the cluster, the node metadata or the internet.
 */
function addNetworkPolicy(
  scope: Construct,
  props: WorkloadProps,
  metadata: { name: string; namespace: string; labels: Record<string, string> },
): InstanceType<typeof NetworkPolicyV1> {
  return new NetworkPolicyV1(scope, 'network_policy', {
    metadata,
    spec: {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          ports: [
            { port: String(props.port), protocol: 'TCP' },
            ...(props.grpcPort === undefined
              ? []
              : [{ port: String(props.grpcPort), protocol: 'TCP' }]),
          ],
        },
      ],
      egress: [
        {
          ports: [
            { port: '53', protocol: 'UDP' },
            { port: '53', protocol: 'TCP' },
          ],
        },
      ],
    },
  });
}
