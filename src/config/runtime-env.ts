/**
 * The container environment that carries `runtime:` settings to the inference server. The
 * runtime reads exactly these names (src/runtime), and every target passes them through, so a
 * setting means the same on every cloud and locally.
 */
import type { ResolvedConfig } from './resolved-config.js';
import { RUNTIME_ENV } from './runtime-settings.js';

// Declared with the runtime's settings (src/config/runtime-settings.ts), so the names the runtime
// reads and the names the stacks set are one list.
export { RUNTIME_ENV };

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
    // Only when set: the runtime's default is the same, and stacks that do not use it stay as
    // they were.
    ...(runtime.device_fallback === 'none'
      ? {}
      : { [RUNTIME_ENV.deviceFallback]: runtime.device_fallback }),
    // Only when on, for the same reason: a stack without gRPC stays byte for byte as it was.
    ...(runtime.grpc.enabled
      ? { [RUNTIME_ENV.grpc]: 'true', [RUNTIME_ENV.grpcPort]: String(runtime.grpc.port) }
      : {}),
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
