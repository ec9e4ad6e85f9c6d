/**
 * The Cloud Run v2 service: one container, the runtime image by digest, sized, probed on the
 * runtime's health endpoints and scaled between the spec's bounds.
 */
import { CloudRunV2Service } from '@cdktf/provider-google/lib/cloud-run-v2-service/index.js';
import type { CloudRunV2ServiceTemplateContainersEnv } from '@cdktf/provider-google/lib/cloud-run-v2-service/index.js';
import type { IResolvable, ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { cloudRunExecutionEnvironment } from './limits.js';
import type { CloudRunSpec } from './spec.js';
import type { StackLifecycle } from '../synthesizer.js';

/** spec.ingress → the API's enum. */
export const CLOUD_RUN_INGRESS_SETTINGS: Readonly<Record<CloudRunSpec['ingress'], string>> = {
  all: 'INGRESS_TRAFFIC_ALL',
  internal: 'INGRESS_TRAFFIC_INTERNAL_ONLY',
  'internal-and-cloud-load-balancing': 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER',
};

/**
 * Startup probe on /readyz: traffic arrives only once the models are loaded. Cloud Run caps a
 * startup probe at 240 s (period x failures) and its initial delay at another 240 s; the delay
 * is `spec.startup_delay_seconds`, so large models get up to 480 s.
 */
export const STARTUP_PROBE = { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 48 };
/** Liveness probe on /livez: a wedged instance is replaced after ~45 s. */
export const LIVENESS_PROBE = { periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 3 };

/** Cloud Run sets PORT to the container port itself and refuses a service that sets it. */
const RESERVED_ENV = new Set(['PORT']);

export interface SecretEnv {
  readonly name: string;
  /** `projects/<project>/secrets/<secret>` */
  readonly secret: string;
  readonly version: string;
}

export interface CloudRunServiceProps {
  readonly spec: CloudRunSpec;
  readonly name: string;
  readonly image: string;
  readonly port: number;
  readonly serviceAccountEmail: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: readonly SecretEnv[];
  readonly labels: Readonly<Record<string, string>>;
  readonly dependsOn: readonly ITerraformDependable[];
  /** Terminated, or restoring from it (see below). */
  readonly lifecycle: StackLifecycle;
  /**
   * Canary and blue-green: the revision's own name and the traffic split, which bentoctl moves
   * (src/targets/traffic-split.ts). @default - all traffic to the latest revision (rolling)
   */
  readonly traffic?: {
    readonly revision: string;
    readonly split: IResolvable;
  };
}

export function addCloudRunService(
  scope: Construct,
  props: CloudRunServiceProps,
): InstanceType<typeof CloudRunV2Service> {
  const { spec, port } = props;
  const gpu = spec.gpu;
  return new CloudRunV2Service(scope, 'service', {
    project: spec.project,
    location: spec.region,
    name: props.name,
    description: `bentoctl deployment ${props.name}`,
    client: 'bentoctl',
    // Terminated: no instances (service-level manual scaling at 0, which needs no new revision)
    // and no ingress from outside the project's VPC; revisions, image and IAM stay. A restore
    // says AUTOMATIC outright, since the API keeps the mode when the block is only dropped.
    ingress: props.lifecycle.terminated
      ? 'INGRESS_TRAFFIC_INTERNAL_ONLY'
      : CLOUD_RUN_INGRESS_SETTINGS[spec.ingress],
    ...(props.lifecycle.terminated
      ? { scaling: { scalingMode: 'MANUAL', manualInstanceCount: 0 } }
      : props.lifecycle.restoring
        ? { scaling: { scalingMode: 'AUTOMATIC' } }
        : {}),
    deletionProtection: spec.deletion_protection,
    // Only for a public service whose org policy refuses allUsers: nobody's identity is checked.
    ...(spec.public && spec.invoker_iam_disabled ? { invokerIamDisabled: true } : {}),
    labels: { ...props.labels },
    traffic: props.traffic?.split ?? [
      { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 },
    ],
    template: {
      ...(props.traffic === undefined ? {} : { revision: props.traffic.revision }),
      labels: { ...props.labels },
      serviceAccount: props.serviceAccountEmail,
      // Gen2 gives ONNX Runtime a full Linux kernel interface and is required for GPUs, but
      // takes only whole CPUs: a fractional CPU can deploy only in gen1.
      executionEnvironment: cloudRunExecutionEnvironment(spec.cpu),
      scaling: { minInstanceCount: spec.min_instances, maxInstanceCount: spec.max_instances },
      maxInstanceRequestConcurrency: spec.concurrency,
      timeout: `${spec.timeout_seconds}s`,
      ...(gpu !== undefined
        ? {
            nodeSelector: { accelerator: gpu.type },
            gpuZonalRedundancyDisabled: !gpu.zonal_redundancy,
          }
        : {}),
      containers: [
        {
          name: 'runtime',
          image: props.image,
          ports: { name: 'http1', containerPort: port },
          env: containerEnv(props.environment, props.secrets),
          resources: {
            limits: {
              cpu: cpuQuantity(spec.cpu),
              memory: `${spec.memory}Mi`,
              ...(gpu !== undefined ? { 'nvidia.com/gpu': String(gpu.count) } : {}),
            },
            // CPU outside requests is billed per instance; GPUs require it (instance-based
            // billing), CPU-only services save it and batching finishes inside the request.
            cpuIdle: gpu === undefined,
            // Model loading is CPU-bound; the boost shortens cold starts at no steady cost.
            startupCpuBoost: true,
          },
          startupProbe: {
            httpGet: { path: '/readyz', port },
            initialDelaySeconds: spec.startup_delay_seconds,
            ...STARTUP_PROBE,
          },
          livenessProbe: { httpGet: { path: '/livez', port }, ...LIVENESS_PROBE },
        },
      ],
    },
    dependsOn: [...props.dependsOn],
  });
}

/** Plain and secret variables in one list sorted by name, so reordering never shows as a diff. */
function containerEnv(
  environment: Readonly<Record<string, string>>,
  secrets: readonly SecretEnv[],
): CloudRunV2ServiceTemplateContainersEnv[] {
  const plain = Object.entries(environment)
    .filter(([name]) => !RESERVED_ENV.has(name))
    .map(([name, value]) => ({ name, value }));
  const fromSecrets = secrets.map((secret) => ({
    name: secret.name,
    valueSource: { secretKeyRef: { secret: secret.secret, version: secret.version } },
  }));
  return [...plain, ...fromSecrets].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
}

/** Whole CPUs as "1", "2"…; fractions in millicores ("500m") so no float ever reaches the API. */
export function cpuQuantity(cpu: number): string {
  return Number.isInteger(cpu) ? String(cpu) : `${Math.round(cpu * 1000)}m`;
}
