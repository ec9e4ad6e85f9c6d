/**
 * The runtime's settings, declared once: each one's environment variable, its zod schema (which
 * checks it and carries its default, with units in the names) and what it means. The runtime's
 * settings type, defaults and environment parsing (src/runtime/settings.ts) and the variable
 * names every target sets (RUNTIME_ENV) all derive from RUNTIME_SETTINGS, so they cannot drift
 * apart. Here, in config, because both the runtime and the stacks read it (config must not
 * import the runtime: see scripts/bundle-commands.js).
 */
import { z } from 'zod';
import {
  AUTH_MODES,
  DEFAULT_GRPC_PORT,
  DEVICE_FALLBACKS,
  DEVICES,
  LOG_LEVELS,
} from './runtime-schema.js';

export type LogLevel = (typeof LOG_LEVELS)[number];

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** `true`/`false`/`1`/`0` from the environment, a boolean from `serve` flags. */
const boolean = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
]);

/** Every runtime setting: `env` is the variable that sets it, `schema` checks it and defaults it. */
export const RUNTIME_SETTINGS = {
  /** Folder holding bento.yaml; the image sets it. */
  bentoDir: { env: 'BENTOCTL_BENTO_DIR', schema: z.string().min(1).default('/bento') },
  host: { env: 'BENTOCTL_HOST', schema: z.string().min(1).default('0.0.0.0') },
  port: { env: 'PORT', schema: integer(0, 65535).default(3000) },
  /** Server processes (node cluster). */
  workers: { env: 'BENTOCTL_WORKERS', schema: integer(1, 64).default(1) },
  /** Inference threads per process, each with its own ORT session per model. */
  inferenceThreads: { env: 'BENTOCTL_INFERENCE_THREADS', schema: integer(1, 64).default(1) },
  /**
   * Where batches run: `auto` on the HTTP thread when the process has one core and the warm-up
   * measured batches short enough (docs/runtime.md, "Where inference runs"), else on the
   * inference threads; `on` always on the HTTP thread; `off` always on the inference threads.
   */
  inlineInference: {
    env: 'BENTOCTL_INLINE_INFERENCE',
    schema: z.enum(['auto', 'on', 'off']).default('auto'),
  },
  /** ORT intra-op threads per inference thread; 0 = (cores - workers) / (workers x inference threads). */
  intraOpThreads: { env: 'BENTOCTL_INTRA_OP_THREADS', schema: integer(0, 256).default(0) },
  device: { env: 'BENTOCTL_DEVICE', schema: z.enum(DEVICES).default('cpu') },
  /**
   * With device gpu and no CUDA execution provider: `none` fails readiness (the default), `cpu`
   * serves on CPU and says so in the log, /readyz and /metrics.
   */
  deviceFallback: {
    env: 'BENTOCTL_DEVICE_FALLBACK',
    schema: z.enum(DEVICE_FALLBACKS).default('none'),
  },
  maxBodyMb: {
    env: 'BENTOCTL_MAX_BODY_MB',
    schema: z.coerce.number().positive().max(1024).default(4),
  },
  /**
   * Bodies from this size (KiB) are parsed and checked on the parse thread, not the HTTP thread
   * (a 4 MB body takes JSON.parse 50-100 ms); 0 = every body on the HTTP thread.
   */
  parseThreadMinKb: {
    env: 'BENTOCTL_PARSE_THREAD_MIN_KB',
    schema: z.coerce.number().min(0).max(1_048_576).default(64),
  },
  /** A client must send its whole body within this time, else 408 (slow clients). */
  bodyTimeoutMs: { env: 'BENTOCTL_BODY_TIMEOUT_MS', schema: integer(100, 600_000).default(10_000) },
  logLevel: { env: 'BENTOCTL_LOG_LEVEL', schema: z.enum(LOG_LEVELS).default('info') },
  batching: { env: 'BENTOCTL_BATCHING', schema: boolean.default(true) },
  maxBatchSize: { env: 'BENTOCTL_MAX_BATCH_SIZE', schema: integer(1, 4096).default(32) },
  /** Longest a request may wait in the queue for its batch to start, else 503. */
  maxLatencyMs: { env: 'BENTOCTL_MAX_LATENCY_MS', schema: integer(1, 60_000).default(10) },
  /** Rows queued per API beyond which requests get 503 + Retry-After. */
  maxQueueRows: { env: 'BENTOCTL_MAX_QUEUE_ROWS', schema: integer(1, 1_000_000).default(1024) },
  /** After SIGTERM, queued work must finish within this, else the process exits 1. */
  shutdownGraceMs: {
    env: 'BENTOCTL_SHUTDOWN_GRACE_MS',
    schema: integer(0, 3_600_000).default(25_000),
  },
  authMode: { env: 'BENTOCTL_AUTH_MODE', schema: z.enum(AUTH_MODES).default('none') },
  authTokenEnv: {
    env: 'BENTOCTL_AUTH_TOKEN_ENV',
    schema: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .default('BENTOCTL_AUTH_TOKEN'),
  },
  /** The image's `sha256:` digest, reported in headers and metrics; '' = not known. */
  imageDigest: {
    env: 'BENTOCTL_IMAGE_DIGEST',
    schema: z
      .string()
      .regex(/^(sha256:[0-9a-f]{64})?$/, 'must be sha256:<64 hex digits>')
      .default(''),
  },
  /** Serve the Open Inference Protocol over gRPC too, on grpcPort (config: `runtime.grpc`). */
  grpc: { env: 'BENTOCTL_GRPC', schema: boolean.default(false) },
  grpcPort: {
    env: 'BENTOCTL_GRPC_PORT',
    schema: integer(0, 65535).default(DEFAULT_GRPC_PORT),
  },
  /** Async tasks held at once (finished ones until their TTL), else 429. */
  taskMaxCount: { env: 'BENTOCTL_TASK_MAX_COUNT', schema: integer(1, 1_000_000).default(1000) },
  /** Bytes async tasks may hold (waiting inputs + kept results), MB, else 429. */
  taskMaxMb: {
    env: 'BENTOCTL_TASK_MAX_MB',
    schema: z.coerce.number().positive().max(65_536).default(64),
  },
  /** How long a finished task's result is kept. */
  taskTtlS: { env: 'BENTOCTL_TASK_TTL_S', schema: integer(1, 7 * 24 * 3600).default(600) },
} as const;

type Declared = typeof RUNTIME_SETTINGS;
/** The name of a runtime setting. */
export type RuntimeSettingKey = keyof Declared;
/** Every setting, in declaration order. */
export const RUNTIME_SETTING_KEYS = Object.keys(RUNTIME_SETTINGS) as RuntimeSettingKey[];

/** The environment variable of each setting (every target passes these through). */
export const RUNTIME_ENV = Object.fromEntries(
  RUNTIME_SETTING_KEYS.map((key) => [key, RUNTIME_SETTINGS[key].env]),
) as { readonly [K in RuntimeSettingKey]: Declared[K]['env'] };

/** One zod object over every setting: checks the values and fills in the defaults. */
export const runtimeSettingsSchema = z.object(
  Object.fromEntries(RUNTIME_SETTING_KEYS.map((key) => [key, RUNTIME_SETTINGS[key].schema])) as {
    [K in RuntimeSettingKey]: Declared[K]['schema'];
  },
);
