/**
 * After an apply, waits until the service answers `GET <endpoint>/readyz` with 2xx. Load
 * balancers and revisions take a while to route to new containers, so it polls with backoff
 * until a deadline. A 401/403 means the service is up behind authentication bentoctl does not
 * hold (a private Cloud Run service), which is reported rather than waited out.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { errors } from '../errors/index.js';

export interface WaitForReadyOptions {
  readonly timeoutMs: number;
  /** @default 1000 */
  readonly initialDelayMs?: number;
  /** @default 10000 */
  readonly maxDelayMs?: number;
  /** Per request; the last request may end this much after the timeout. @default 5000 */
  readonly requestTimeoutMs?: number;
  /** Called after each failed attempt, e.g. to print progress. */
  readonly onRetry?: (status: string) => void;
}

export interface ReadyResult {
  readonly url: string;
  /** HTTP status of the last answer. */
  readonly status: number;
  readonly attempts: number;
  /** The endpoint answered 401/403: up, but readiness could not be checked. */
  readonly authRequired: boolean;
}

/** `<endpoint>/readyz`, keeping any path the endpoint has. */
export function readyzUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/readyz`;
}

export async function waitForReady(
  endpoint: string,
  options: WaitForReadyOptions,
): Promise<ReadyResult> {
  const url = readyzUrl(endpoint);
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
  const deadline = Date.now() + options.timeoutMs;
  let delayMs = options.initialDelayMs ?? 1_000;
  for (let attempt = 1; ; attempt += 1) {
    // A request is never cut short by the deadline: its answer is what the error reports.
    const probe = await probeReady(url, requestTimeoutMs);
    if (probe.up) {
      const authRequired = probe.status === 401 || probe.status === 403;
      return { url, status: probe.status, attempts: attempt, authRequired };
    }
    const last = probe.detail;
    options.onRetry?.(last);
    const left = deadline - Date.now();
    if (left <= 0) throw errors.endpointNotReady(url, options.timeoutMs / 1000, last);
    await sleep(Math.min(delayMs, left));
    delayMs = Math.min(maxDelayMs, Math.round(delayMs * 1.5));
  }
}

export interface Probe {
  /** 2xx, or 401/403 (up behind authentication). */
  readonly up: boolean;
  /** 0 when there was no HTTP answer. */
  readonly status: number;
  /** `HTTP 503`, `ECONNREFUSED`, `request timed out`... */
  readonly detail: string;
}

/** One GET of a readiness URL. */
export async function probeReady(url: string, timeoutMs: number): Promise<Probe> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    const up = response.ok || response.status === 401 || response.status === 403;
    return { up, status: response.status, detail: `HTTP ${response.status}` };
  } catch (cause) {
    return { up: false, status: 0, detail: describeFailure(cause) };
  }
}

function describeFailure(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  if (cause.name === 'TimeoutError') return 'request timed out';
  // fetch wraps the socket error (ECONNREFUSED, ENOTFOUND) as its cause.
  const inner = (cause as Error & { cause?: { code?: string } }).cause;
  return inner?.code ?? cause.message;
}
