/**
 * Whether a canary or blue-green candidate is fit to take all traffic, as far as bentoctl sees
 * it from outside the cloud: its own URL (the candidate tag) answers /readyz from the
 * candidate's image, and the runtime's own request counters (`/metrics`,
 * `bentoctl_http_requests_total`) show few 5xx answers. The counters are those of the instance
 * that answered (each instance counts its own requests); the cloud's metrics are not read, which
 * would need a monitoring API and its rights. Behind authentication (401/403, a private Cloud
 * Run service) nothing can be asked; that is reported as not checked, as `apply` reports it.
 */
import { readyzUrl, pollReadyz, revisionMismatch, describeRevision } from './wait-ready.js';
import type { ExpectedRevision, ReportedRevision } from './wait-ready.js';

/** The share of 5xx answers above which the candidate is unhealthy: the aws-ecs alarms' bound. */
export const MAX_ERROR_PERCENT = 5;
/** Fewer answers than this say too little to judge a rate by. */
export const MIN_REQUESTS_FOR_RATE = 10;
/**
 * How long the candidate's URL may take to answer ready: one cold start of an instance
 * (`min_instances: 0` scales the candidate to none while it gets few requests).
 */
export const CANDIDATE_READY_TIMEOUT_SECONDS = 60;

/** The 5xx share of the answers the runtime counted. */
export interface ErrorRate {
  readonly requests: number;
  readonly errors: number;
  /** errors / requests, in %, one decimal. */
  readonly percent: number;
}

export interface CandidateHealth {
  /** The candidate's own URL. */
  readonly url: string;
  /** False only with problems. */
  readonly healthy: boolean;
  /**
   * False when nothing could be asked: the URL answered 401/403 (up behind authentication), or
   * the stack declares no URL of the candidate and its platform checks it (an aws-ecs blue-green
   * stack generated before its test listener).
   */
  readonly checked: boolean;
  /** What its /readyz said: `ready, serves bento 1a2b…`, `HTTP 503`, `ECONNREFUSED`... */
  readonly readiness: string;
  readonly revision: ReportedRevision | null;
  /** Null when not measured (see `errorRateNote`). */
  readonly errorRate: ErrorRate | null;
  /** Why the rate was not judged, when it was not. */
  readonly errorRateNote: string | null;
  /** What makes it unhealthy, each a phrase for the error message. */
  readonly problems: readonly string[];
}

export interface CandidateHealthOptions {
  /** @default CANDIDATE_READY_TIMEOUT_SECONDS */
  readonly readyTimeoutSeconds?: number;
  /** Each unmet /readyz attempt. */
  readonly onRetry?: (reason: string) => void;
}

/** Asks the candidate's URL for /readyz (until ready or the timeout), then for /metrics. */
export async function checkCandidate(
  url: string,
  expected: ExpectedRevision,
  options: CandidateHealthOptions = {},
): Promise<CandidateHealth> {
  const seconds = options.readyTimeoutSeconds ?? CANDIDATE_READY_TIMEOUT_SECONDS;
  const outcome = await pollReadyz(readyzUrl(url), {
    timeoutMs: seconds * 1000,
    unmet: (probe) => {
      if (!probe.up) return probe.detail;
      if (probe.status === 401 || probe.status === 403) return undefined;
      return revisionMismatch(probe.revision, expected);
    },
    ...(options.onRetry === undefined ? {} : { onRetry: options.onRetry }),
  });
  const base = {
    url,
    revision: outcome.kind === 'stopped' ? null : (outcome.probe.revision ?? null),
  };
  if (outcome.kind !== 'met') {
    const { reason } = outcome;
    return {
      ...base,
      healthy: false,
      checked: true,
      readiness: reason,
      errorRate: null,
      errorRateNote: 'not asked: it is not ready',
      problems: [
        `${readyzUrl(url)} did not answer ready from ${describeRevision(expected)} within ${seconds} s (${reason})`,
      ],
    };
  }
  if (outcome.probe.status === 401 || outcome.probe.status === 403) {
    return {
      ...base,
      healthy: true,
      checked: false,
      readiness: `HTTP ${outcome.probe.status}: up, behind authentication bentoctl does not hold`,
      errorRate: null,
      errorRateNote: 'not asked: behind authentication',
      problems: [],
    };
  }
  const readiness = `ready, serves ${describeRevision(outcome.probe.revision)}`;
  const measured = await readErrorRate(url);
  if (typeof measured === 'string') {
    return {
      ...base,
      healthy: true,
      checked: true,
      readiness,
      errorRate: null,
      errorRateNote: measured,
      problems: [],
    };
  }
  if (measured.requests < MIN_REQUESTS_FOR_RATE) {
    return {
      ...base,
      healthy: true,
      checked: true,
      readiness,
      errorRate: measured,
      errorRateNote: `not judged: ${measured.requests} requests answered, fewer than ${MIN_REQUESTS_FOR_RATE}`,
      problems: [],
    };
  }
  const problems =
    measured.percent > MAX_ERROR_PERCENT
      ? [
          `${measured.percent} % of the ${measured.requests} requests it answered were 5xx (more than ${MAX_ERROR_PERCENT} %, ${url}/metrics)`,
        ]
      : [];
  return {
    ...base,
    healthy: problems.length === 0,
    checked: true,
    readiness,
    errorRate: measured,
    errorRateNote: null,
    problems,
  };
}

/** The runtime's counters from `<url>/metrics`, or why they could not be read. */
async function readErrorRate(url: string): Promise<ErrorRate | string> {
  const metricsUrl = `${url.replace(/\/+$/, '')}/metrics`;
  let text: string;
  try {
    const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) {
      await response.body?.cancel();
      return `not measured: ${metricsUrl} answered HTTP ${response.status}`;
    }
    text = await response.text();
  } catch (cause) {
    return `not measured: ${metricsUrl} did not answer (${cause instanceof Error ? cause.message : String(cause)})`;
  }
  return errorRateOf(text) ?? `not measured: ${metricsUrl} has no bentoctl_http_requests_total`;
}

const REQUESTS_SAMPLE = /^bentoctl_http_requests_total\{([^}]*)\}\s+(\S+)/;
const STATUS_LABEL = /(?:^|,)\s*status="(\d{3})"/;

/**
 * The 5xx share in a Prometheus text exposition of the runtime's `bentoctl_http_requests_total`
 * (labels `api`, `status`); undefined when it has no such sample.
 */
export function errorRateOf(exposition: string): ErrorRate | undefined {
  let requests = 0;
  let errors = 0;
  let samples = 0;
  for (const line of exposition.split('\n')) {
    const sample = REQUESTS_SAMPLE.exec(line);
    if (sample === null) continue;
    const count = Number(sample[2]);
    const status = STATUS_LABEL.exec(sample[1] ?? '')?.[1];
    if (!Number.isFinite(count) || status === undefined) continue;
    samples += 1;
    requests += count;
    if (status.startsWith('5')) errors += count;
  }
  if (samples === 0) return undefined;
  const percent = requests === 0 ? 0 : Math.round((errors / requests) * 1000) / 10;
  return { requests, errors, percent };
}
