/**
 * The container environment that carries `runtime:` settings to the inference server. The
 * runtime reads exactly these names (src/runtime), and every target passes them through, so a
 * setting means the same on every cloud and locally.
 */
import type { ResolvedConfig } from './resolved-config.js';

export const RUNTIME_ENV = {
  port: 'PORT',
  workers: 'BENTOCTL_WORKERS',
  intraOpThreads: 'BENTOCTL_INTRA_OP_THREADS',
  device: 'BENTOCTL_DEVICE',
  maxBodyMb: 'BENTOCTL_MAX_BODY_MB',
  logLevel: 'BENTOCTL_LOG_LEVEL',
  batching: 'BENTOCTL_BATCHING',
  maxBatchSize: 'BENTOCTL_MAX_BATCH_SIZE',
  maxLatencyMs: 'BENTOCTL_MAX_LATENCY_MS',
  authMode: 'BENTOCTL_AUTH_MODE',
  authTokenEnv: 'BENTOCTL_AUTH_TOKEN_ENV',
  // Read by the runtime with defaults (src/runtime/settings.ts); the image sets bentoDir.
  bentoDir: 'BENTOCTL_BENTO_DIR',
  host: 'BENTOCTL_HOST',
  inferenceThreads: 'BENTOCTL_INFERENCE_THREADS',
  maxQueueRows: 'BENTOCTL_MAX_QUEUE_ROWS',
  shutdownGraceMs: 'BENTOCTL_SHUTDOWN_GRACE_MS',
  bodyTimeoutMs: 'BENTOCTL_BODY_TIMEOUT_MS',
  // Set by the stack from the digest it pins, so the runtime can say which image it is.
  imageDigest: 'BENTOCTL_IMAGE_DIGEST',
  grpc: 'BENTOCTL_GRPC',
  grpcPort: 'BENTOCTL_GRPC_PORT',
  taskMaxCount: 'BENTOCTL_TASK_MAX_COUNT',
  taskMaxMb: 'BENTOCTL_TASK_MAX_MB',
  taskTtlS: 'BENTOCTL_TASK_TTL_S',
} as const;

/**
 * Response headers on every runtime answer naming the revision that answered, so `apply` can
 * tell the new revision from the old one still serving during a rollout (src/deploy/wait-ready.ts).
 */
export const REVISION_HEADERS = {
  bentoVersion: 'bentoctl-bento-version',
  imageDigest: 'bentoctl-image-digest',
} as const;

/** What a deployed container is told about itself beyond the `runtime:` settings. */
export interface ServedImage {
  /** `sha256:...` of the image the stack pins; unset for an image referenced by tag. */
  readonly imageDigest?: string;
}

/** Runtime settings plus the user's `env:`, as strings, in a stable key order. */
export function runtimeEnvironment(
  config: ResolvedConfig,
  served: ServedImage = {},
): Record<string, string> {
  const { runtime } = config;
  const environment: Record<string, string> = {
    [RUNTIME_ENV.port]: String(runtime.port),
    [RUNTIME_ENV.workers]: String(runtime.workers),
    [RUNTIME_ENV.intraOpThreads]: String(runtime.intra_op_threads),
    [RUNTIME_ENV.device]: runtime.device,
    [RUNTIME_ENV.maxBodyMb]: String(runtime.max_body_mb),
    [RUNTIME_ENV.logLevel]: runtime.log_level,
    [RUNTIME_ENV.batching]: String(runtime.batching.enabled),
    [RUNTIME_ENV.maxBatchSize]: String(runtime.batching.max_batch_size),
    [RUNTIME_ENV.maxLatencyMs]: String(runtime.batching.max_latency_ms),
    [RUNTIME_ENV.authMode]: runtime.auth.mode,
    [RUNTIME_ENV.authTokenEnv]: runtime.auth.token_env,
    // ONNX Runtime 1.30 otherwise phones home; the runtime must make no outbound calls.
    ORT_DISABLE_TELEMETRY: '1',
    ...(served.imageDigest === undefined ? {} : { [RUNTIME_ENV.imageDigest]: served.imageDigest }),
    ...config.env,
  };
  // Code-unit order, not localeCompare: the same on every machine whatever its locale, and it
  // spares `generate` the 14 ms ICU takes to build its first collator.
  return Object.fromEntries(
    Object.entries(environment).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}
