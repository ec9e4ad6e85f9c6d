/**
 * One log line from the cloud, whatever the cloud: when it was written, by which instance and
 * revision, and the runtime's JSON fields when the line is one of the runtime's JSON lines
 * (src/runtime/logger.ts: `time`, `severity`, `message`, `requestId`, `status`, `latencyMs`).
 */

/** Cloud Logging's severity names, which the runtime writes too (src/runtime/logger.ts). */
export const SEVERITIES = ['DEFAULT', 'DEBUG', 'INFO', 'WARNING', 'ERROR'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface LogEntry {
  /** Unique per entry within its source (CloudWatch eventId, Cloud Logging insertId...). */
  readonly id: string;
  /** Milliseconds since the epoch. */
  readonly timeMs: number;
  readonly severity: Severity;
  /** The instance that wrote it: ECS task id, EC2 instance log stream, Cloud Run instance, pod. */
  readonly instance: string | null;
  /**
   * The revision it ran: Cloud Run revision, ECS task definition, Kubernetes Deployment revision
   * (`4`; a release's candidate `iris-prod-candidate:1`, src/observe/aks-revision.ts).
   */
  readonly revision: string | null;
  /** The runtime's JSON object, when the line is one; null for plain text. */
  readonly fields: Readonly<Record<string, unknown>> | null;
  /** The message: the runtime's `message`, else the whole line. */
  readonly message: string;
}

/** Where an entry came from, besides its text. */
export interface EntryOrigin {
  readonly id: string;
  readonly timeMs: number;
  readonly instance: string | null;
  readonly revision: string | null;
  /** The severity the cloud recorded, when it records one (Cloud Logging does). */
  readonly severity?: Severity;
}

/** Parses a raw line as the runtime writes it; anything else is kept as plain text. */
export function entryFromLine(line: string, origin: EntryOrigin): LogEntry {
  const fields = parseJsonObject(line.trim());
  return entryFromFields(fields, fields === null ? line.replace(/\s+$/, '') : '', origin);
}

/**
 * An entry from an already parsed object (Cloud Logging's jsonPayload), or from plain text when
 * `fields` is null.
 */
export function entryFromFields(
  fields: Readonly<Record<string, unknown>> | null,
  text: string,
  origin: EntryOrigin,
): LogEntry {
  const severity = severityOf(fields?.severity) ?? origin.severity ?? 'DEFAULT';
  const message = typeof fields?.message === 'string' ? fields.message : text;
  const written = typeof fields?.time === 'string' ? Date.parse(fields.time) : Number.NaN;
  return {
    id: origin.id,
    // The runtime's own clock is exact; the cloud's ingestion time may lag behind it.
    timeMs: Number.isNaN(written) ? origin.timeMs : written,
    severity,
    instance: origin.instance,
    revision: origin.revision,
    fields,
    message,
  };
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  if (!text.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** Accepts the runtime's names and the usual aliases (`warn`, `error`, `CRITICAL`...). */
export function severityOf(value: unknown): Severity | undefined {
  if (typeof value !== 'string') return undefined;
  switch (value.toUpperCase()) {
    case 'DEBUG':
      return 'DEBUG';
    case 'INFO':
    case 'NOTICE':
      return 'INFO';
    case 'WARN':
    case 'WARNING':
      return 'WARNING';
    case 'ERROR':
    case 'CRITICAL':
    case 'ALERT':
    case 'EMERGENCY':
      return 'ERROR';
    case 'DEFAULT':
      return 'DEFAULT';
    default:
      return undefined;
  }
}
