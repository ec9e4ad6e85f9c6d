/**
 * The runtime's settings as the server uses them: read from the container environment and
 * checked once at start-up, so a bad value stops the server with a message naming the variable
 * instead of misbehaving under load. Each setting (variable, check, default) is declared once,
 * in src/config/runtime-settings.ts; the type and defaults here derive from it.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { z } from 'zod';
import {
  RUNTIME_ENV,
  RUNTIME_SETTING_KEYS as KEYS,
  runtimeSettingsSchema as settingsSchema,
  type RuntimeSettingKey as SettingKey,
} from '../config/runtime-settings.js';
import { RuntimeError } from './runtime-error.js';

export { LOG_LEVELS } from '../config/runtime-schema.js';
export type { LogLevel } from '../config/runtime-settings.js';

/** Every setting's default (intraOpThreads 0 = resolved at start-up). */
export const RUNTIME_DEFAULTS: Readonly<z.output<typeof settingsSchema>> = settingsSchema.parse({});

export type RuntimeSettings = Readonly<z.output<typeof settingsSchema>> & {
  /** The bearer token itself, read from `authTokenEnv` (bearer mode only). */
  readonly authToken: string | undefined;
  /** Cores each server process may use (availableCores() / workers, at least 1). */
  readonly coresPerProcess: number;
};

export class RuntimeSettingsError extends RuntimeError {
  constructor(readonly problems: readonly string[]) {
    super(`invalid runtime settings: ${problems.join('; ')}`);
  }
}

/** Settings from the environment, then `overrides` (e.g. `bentoctl serve` flags), then defaults. */
export function readSettings(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Record<SettingKey, string | number | boolean>> = {},
  cores: number = availableCores(),
): RuntimeSettings {
  const raw: Record<string, unknown> = {};
  for (const key of KEYS) {
    const fromEnv = env[RUNTIME_ENV[key]];
    raw[key] = overrides[key] ?? (fromEnv === '' ? undefined : fromEnv);
  }
  const parsed = settingsSchema.safeParse(raw);
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
        ? autoIntraOpThreads(values.workers, values.inferenceThreads, cores)
        : values.intraOpThreads,
    coresPerProcess: Math.max(1, Math.floor(cores / values.workers)),
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
  cores = availableCores(),
): number {
  return Math.max(1, Math.floor((cores - workers) / (workers * inferenceThreads)));
}

/**
 * The cores this process may run on: the CPUs it is allowed on (affinity: `taskset`, a
 * Kubernetes static CPU policy), capped by its cgroup's CPU quota (`cpu.max`: ECS task and
 * Kubernetes limits, Cloud Run), rounded up. A 1-vCPU container often sees every CPU of its
 * host and is throttled to one; threads sized for the CPUs it sees would oversubscribe it.
 */
export function availableCores(cpuMaxFile = '/sys/fs/cgroup/cpu.max'): number {
  const cpus = availableParallelism();
  let text: string;
  try {
    text = readFileSync(cpuMaxFile, 'utf8');
  } catch {
    return cpus; // no cgroup v2 file: no quota to respect
  }
  const [quota, period] = text.trim().split(/\s+/);
  const quotaUs = Number(quota);
  const periodUs = Number(period);
  if (quota === 'max' || !(quotaUs > 0) || !(periodUs > 0)) return cpus;
  return Math.max(1, Math.min(cpus, Math.ceil(quotaUs / periodUs)));
}

/** The environment that carries `settings` to a child process (cluster workers, tests). */
export function settingsToEnv(settings: RuntimeSettings): Record<string, string> {
  const env: Record<string, string> = { ORT_DISABLE_TELEMETRY: '1' };
  for (const key of KEYS) env[RUNTIME_ENV[key]] = String(settings[key]);
  return env;
}
