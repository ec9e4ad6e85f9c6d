/**
 * The runtime's settings: every default in one object with units in the names, read from the
 * container environment (RUNTIME_ENV) and checked once at start-up, so a bad value stops the
 * server with a message naming the variable instead of misbehaving under load.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { RUNTIME_ENV } from '../config/runtime-env.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const RUNTIME_DEFAULTS = {
  bentoDir: '/bento',
  host: '0.0.0.0',
  port: 3000,
  /** Server processes (node cluster). */
  workers: 1,
  /** Inference threads per process, each with its own ORT session per model. */
  inferenceThreads: 1,
  /** ORT intra-op threads per inference thread; 0 = (cores - workers) / (workers x inference threads). */
  intraOpThreads: 0,
  device: 'cpu' as 'cpu' | 'gpu',
  maxBodyMb: 4,
  /** A client must send its whole body within this time, else 408 (slow clients). */
  bodyTimeoutMs: 10_000,
  logLevel: 'info' as LogLevel,
  batching: true,
  maxBatchSize: 32,
  /** Longest a request may wait in the queue for its batch to start, else 503. */
  maxLatencyMs: 10,
  /** Rows queued per API beyond which requests get 503 + Retry-After. */
  maxQueueRows: 1024,
  /** After SIGTERM, queued work must finish within this, else the process exits 1. */
  shutdownGraceMs: 25_000,
  authMode: 'none' as 'none' | 'bearer',
  authTokenEnv: 'BENTOCTL_AUTH_TOKEN',
  /** The image's `sha256:` digest, reported in headers and metrics; '' = not known. */
  imageDigest: '',
  /** Serve the Open Inference Protocol over gRPC too, on grpcPort. Off: targets expose one port. */
  grpc: false,
  grpcPort: 3001,
  /** Async tasks held at once (finished ones until their TTL), else 429. */
  taskMaxCount: 1000,
  /** Bytes async tasks may hold (waiting inputs + kept results), MB, else 429. */
  taskMaxMb: 64,
  /** How long a finished task's result is kept. */
  taskTtlS: 600,
} as const;

export interface RuntimeSettings {
  readonly bentoDir: string;
  readonly host: string;
  readonly port: number;
  readonly workers: number;
  readonly inferenceThreads: number;
  /** Resolved: never 0. */
  readonly intraOpThreads: number;
  readonly device: 'cpu' | 'gpu';
  readonly maxBodyMb: number;
  readonly bodyTimeoutMs: number;
  readonly logLevel: LogLevel;
  readonly batching: boolean;
  readonly maxBatchSize: number;
  readonly maxLatencyMs: number;
  readonly maxQueueRows: number;
  readonly shutdownGraceMs: number;
  readonly authMode: 'none' | 'bearer';
  readonly authTokenEnv: string;
  readonly imageDigest: string;
  readonly grpc: boolean;
  readonly grpcPort: number;
  readonly taskMaxCount: number;
  readonly taskMaxMb: number;
  readonly taskTtlS: number;
  /** The bearer token itself, read from `authTokenEnv` (bearer mode only). */
  readonly authToken: string | undefined;
}

export class RuntimeSettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid runtime settings: ${problems.join('; ')}`);
    this.name = 'RuntimeSettingsError';
  }
}

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const boolean = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const envSchema = z.object({
  bentoDir: z.string().min(1),
  host: z.string().min(1),
  port: integer(0, 65535),
  workers: integer(1, 64),
  inferenceThreads: integer(1, 64),
  intraOpThreads: integer(0, 256),
  device: z.enum(['cpu', 'gpu']),
  maxBodyMb: z.coerce.number().positive().max(1024),
  bodyTimeoutMs: integer(100, 600_000),
  logLevel: z.enum(LOG_LEVELS),
  batching: z.union([z.boolean(), boolean]),
  maxBatchSize: integer(1, 4096),
  maxLatencyMs: integer(1, 60_000),
  maxQueueRows: integer(1, 1_000_000),
  shutdownGraceMs: integer(0, 3_600_000),
  authMode: z.enum(['none', 'bearer']),
  authTokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
  imageDigest: z.string().regex(/^(sha256:[0-9a-f]{64})?$/, 'must be sha256:<64 hex digits>'),
  grpc: z.union([z.boolean(), boolean]),
  grpcPort: integer(0, 65535),
  taskMaxCount: integer(1, 1_000_000),
  taskMaxMb: z.coerce.number().positive().max(65_536),
  taskTtlS: integer(1, 7 * 24 * 3600),
});

type SettingKey = keyof typeof RUNTIME_DEFAULTS;

/** Settings from the environment, then `overrides` (e.g. `bentoctl serve` flags), then defaults. */
export function readSettings(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Record<SettingKey, string | number | boolean>> = {},
): RuntimeSettings {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(RUNTIME_DEFAULTS) as SettingKey[]) {
    const fromEnv = env[RUNTIME_ENV[key]];
    raw[key] =
      overrides[key] ?? (fromEnv === undefined || fromEnv === '' ? RUNTIME_DEFAULTS[key] : fromEnv);
  }
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    throw new RuntimeSettingsError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0]) as SettingKey;
        return `${RUNTIME_ENV[key]}=${JSON.stringify(raw[key])}: ${issue.message}`;
      }),
    );
  }
  const values = parsed.data;
  const authToken = values.authMode === 'bearer' ? env[values.authTokenEnv] : undefined;
  if (values.authMode === 'bearer' && (authToken === undefined || authToken.length < 8)) {
    throw new RuntimeSettingsError([
      `${RUNTIME_ENV.authMode}=bearer needs a token of at least 8 characters in ${values.authTokenEnv}, which is ${authToken === undefined ? 'unset' : 'too short'}`,
    ]);
  }
  return {
    ...values,
    intraOpThreads:
      values.intraOpThreads === 0
        ? autoIntraOpThreads(values.workers, values.inferenceThreads)
        : values.intraOpThreads,
    authToken,
  };
}

/**
 * Splits the cores between processes and inference threads so they do not oversubscribe,
 * keeping one core per process for its HTTP thread (JSON parsing is the other half of the
 * work). On 2 cores this gives 1, which measured fastest there (docs/benchmarks.md).
 */
export function autoIntraOpThreads(
  workers: number,
  inferenceThreads: number,
  cores = availableParallelism(),
): number {
  return Math.max(1, Math.floor((cores - workers) / (workers * inferenceThreads)));
}

/** The environment that carries `settings` to a child process (cluster workers, tests). */
export function settingsToEnv(settings: RuntimeSettings): Record<string, string> {
  const env: Record<string, string> = { ORT_DISABLE_TELEMETRY: '1' };
  for (const key of Object.keys(RUNTIME_DEFAULTS) as SettingKey[]) {
    env[RUNTIME_ENV[key]] = String(settings[key]);
  }
  return env;
}
