/**
 * The one `/readyz` poller: `apply` waits with it for the deployed service, `bentoctl run` for a
 * local container. Each caller says when an answer is good enough (2xx; the revision just
 * deployed) and when to stop early (the container exited); the poller owns the probing, the
 * backoff and the deadline.
 *
 * Why a revision, not merely 2xx: during a rollout the old revision keeps answering `/readyz`
 * (ECS keeps old tasks healthy until new ones pass; a circuit-breaker rollback leaves them in
 * place), so only the revision the runtime reports (REVISION_HEADERS, else the `/readyz` body)
 * says the new one serves. A 401/403 means the service is up behind authentication bentoctl does
 * not hold (a private Cloud Run service), which is reported rather than waited out.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { REVISION_HEADERS } from '../config/runtime-env.js';
import { errors } from '../errors/index.js';

/** What a runtime says it serves; either field is absent when it does not say. */
export interface ReportedRevision {
  readonly bentoVersion?: string;
  readonly imageDigest?: string;
}

export interface Probe {
  /** 2xx, or 401/403 (up behind authentication). */
  readonly up: boolean;
  /** 0 when there was no HTTP answer. */
  readonly status: number;
  /** `HTTP 503`, `ECONNREFUSED`, `request timed out`... */
  readonly detail: string;
  /** Undefined when the answer named no revision (an older image, or no answer). */
  readonly revision: ReportedRevision | undefined;
}

export interface PollOptions {
  readonly timeoutMs: number;
  /** @default 1000 */
  readonly initialDelayMs?: number;
  /** @default 10000 */
  readonly maxDelayMs?: number;
  /** Per request; the last request may end this much after the timeout. @default 5000 */
  readonly requestTimeoutMs?: number;
  /** Why this answer is not good enough yet, or undefined when it is. @default - not `up` */
  readonly unmet?: (probe: Probe) => string | undefined;
  /** Checked before each attempt: a reason ends the polling (e.g. the container exited). */
  readonly stopped?: () => string | undefined;
  /** Called after each unmet attempt with its reason, e.g. to print progress. */
  readonly onRetry?: (reason: string, probe: Probe) => void;
}

export type PollOutcome =
  | { readonly kind: 'met'; readonly probe: Probe; readonly attempts: number }
  | {
      readonly kind: 'timeout';
      readonly probe: Probe;
      readonly reason: string;
      readonly attempts: number;
    }
  | { readonly kind: 'stopped'; readonly reason: string; readonly attempts: number };

/** `<endpoint>/readyz`, keeping any path the endpoint has. */
export function readyzUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/readyz`;
}

/** Polls `url` with backoff until `unmet` is satisfied, `stopped` says stop, or the deadline. */
export async function pollReadyz(url: string, options: PollOptions): Promise<PollOutcome> {
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
  const unmet = options.unmet ?? ((probe: Probe) => (probe.up ? undefined : probe.detail));
  const deadline = Date.now() + options.timeoutMs;
  let delayMs = options.initialDelayMs ?? 1_000;
  for (let attempt = 1; ; attempt += 1) {
    const stop = options.stopped?.();
    if (stop !== undefined) return { kind: 'stopped', reason: stop, attempts: attempt - 1 };
    // A request is never cut short by the deadline: its answer is what the error reports.
    const probe = await probeReady(url, requestTimeoutMs);
    const reason = unmet(probe);
    if (reason === undefined) return { kind: 'met', probe, attempts: attempt };
    options.onRetry?.(reason, probe);
    const left = deadline - Date.now();
    if (left <= 0) return { kind: 'timeout', probe, reason, attempts: attempt };
    await sleep(Math.min(delayMs, left));
    delayMs = Math.min(maxDelayMs, Math.round(delayMs * 1.5));
  }
}

export interface WaitForReadyOptions extends Omit<PollOptions, 'unmet' | 'onRetry'> {
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
  /** What the endpoint said it serves; null when it did not say. */
  readonly revision: ReportedRevision | null;
}

/** Waits for 2xx (or 401/403) on `<endpoint>/readyz`; throws ENDPOINT_NOT_READY at the deadline. */
export async function waitForReady(
  endpoint: string,
  options: WaitForReadyOptions,
): Promise<ReadyResult> {
  const url = readyzUrl(endpoint);
  const outcome = await pollReadyz(url, {
    ...options,
    onRetry: (reason) => options.onRetry?.(reason),
  });
  if (outcome.kind !== 'met') {
    throw errors.endpointNotReady(url, options.timeoutMs / 1000, outcome.reason);
  }
  return readyResult(url, outcome.probe, outcome.attempts);
}

/** The revision apply expects; a field left out is not compared. */
export interface ExpectedRevision {
  readonly imageDigest?: string;
  readonly bentoVersion?: string;
}

export interface WaitForRevisionOptions extends WaitForReadyOptions {
  readonly expected: ExpectedRevision;
}

/**
 * Waits until `<endpoint>/readyz` answers ready from the expected revision: the image digest
 * when known (it names the exact image), else the bento version. Throws REVISION_NOT_SERVING
 * when another revision still answers at the deadline, ENDPOINT_NOT_READY when none is ready.
 * Behind authentication (401/403) nothing can be compared; that is reported, not waited out.
 */
export async function waitForRevision(
  endpoint: string,
  options: WaitForRevisionOptions,
): Promise<ReadyResult> {
  const url = readyzUrl(endpoint);
  const { expected } = options;
  const outcome = await pollReadyz(url, {
    ...options,
    unmet: (probe) => {
      if (!probe.up) return probe.detail;
      if (probe.status === 401 || probe.status === 403) return undefined;
      return revisionMismatch(probe.revision, expected);
    },
    onRetry: (reason) => options.onRetry?.(reason),
  });
  if (outcome.kind === 'met') return readyResult(url, outcome.probe, outcome.attempts);
  const seconds = options.timeoutMs / 1000;
  if (outcome.kind === 'timeout' && outcome.probe.up) {
    throw errors.revisionNotServing(
      url,
      seconds,
      describeRevision(outcome.probe.revision),
      describeRevision(expected),
    );
  }
  throw errors.endpointNotReady(url, seconds, outcome.reason);
}

/**
 * Why `reported` is not `expected`, or undefined when it is. The digest is compared when both
 * sides know it; else the bento version (a runtime not told its digest still knows its bento).
 * A runtime that reports neither is never taken for the expected one: it may be the old image.
 */
export function revisionMismatch(
  reported: ReportedRevision | undefined,
  expected: ExpectedRevision,
): string | undefined {
  if (expected.imageDigest === undefined && expected.bentoVersion === undefined) return undefined;
  const same =
    expected.imageDigest !== undefined && reported?.imageDigest !== undefined
      ? reported.imageDigest === expected.imageDigest
      : expected.bentoVersion !== undefined && reported?.bentoVersion !== undefined
        ? reported.bentoVersion === expected.bentoVersion
        : false;
  return same
    ? undefined
    : `${describeRevision(reported)} answers, waiting for ${describeRevision(expected)}`;
}

/** `bento 1a2b… (image sha256:3c4d…)`, or what is missing. */
export function describeRevision(revision: ReportedRevision | undefined): string {
  const parts: string[] = [];
  if (revision?.bentoVersion !== undefined) parts.push(`bento ${revision.bentoVersion}`);
  if (revision?.imageDigest !== undefined) parts.push(`image ${revision.imageDigest}`);
  return parts.length === 0 ? 'a revision that does not report its version' : parts.join(', ');
}

/** One GET of a readiness URL. */
export async function probeReady(url: string, timeoutMs: number): Promise<Probe> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const revision = await reportedRevision(response);
    const up = response.ok || response.status === 401 || response.status === 403;
    return { up, status: response.status, detail: `HTTP ${response.status}`, revision };
  } catch (cause) {
    return { up: false, status: 0, detail: describeFailure(cause), revision: undefined };
  }
}

/** The revision headers, else the `/readyz` JSON body's fields (a proxy may drop headers). */
async function reportedRevision(response: Response): Promise<ReportedRevision | undefined> {
  const fromHeaders = {
    bentoVersion: response.headers.get(REVISION_HEADERS.bentoVersion) ?? undefined,
    imageDigest: response.headers.get(REVISION_HEADERS.imageDigest) ?? undefined,
  };
  const isJson = response.headers.get('content-type')?.includes('json') === true;
  if (fromHeaders.bentoVersion !== undefined || !isJson || !response.ok) {
    await response.body?.cancel();
    return fromHeaders.bentoVersion === undefined ? undefined : withoutUnset(fromHeaders);
  }
  try {
    const body = (await response.json()) as { bento_version?: unknown; image_digest?: unknown };
    const bentoVersion = typeof body.bento_version === 'string' ? body.bento_version : undefined;
    if (bentoVersion === undefined) return undefined;
    const imageDigest = typeof body.image_digest === 'string' ? body.image_digest : undefined;
    return withoutUnset({ bentoVersion, imageDigest });
  } catch {
    return undefined;
  }
}

function withoutUnset(revision: {
  bentoVersion: string | undefined;
  imageDigest: string | undefined;
}): ReportedRevision {
  return {
    ...(revision.bentoVersion === undefined ? {} : { bentoVersion: revision.bentoVersion }),
    ...(revision.imageDigest === undefined ? {} : { imageDigest: revision.imageDigest }),
  };
}

function readyResult(url: string, probe: Probe, attempts: number): ReadyResult {
  return {
    url,
    status: probe.status,
    attempts,
    authRequired: probe.status === 401 || probe.status === 403,
    revision: probe.revision ?? null,
  };
}

function describeFailure(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  if (cause.name === 'TimeoutError') return 'request timed out';
  // fetch wraps the socket error (ECONNREFUSED, ENOTFOUND) as its cause.
  const inner = (cause as Error & { cause?: { code?: string } }).cause;
  return inner?.code ?? cause.message;
}
