/**
 * How `bentoctl logs` prints an entry: readable columns (time, severity, request id, status,
 * latency, message, instance) with warnings and errors marked, or the runtime's own JSON object
 * per line with `--json`, the cloud's context added under `cloud`.
 */
import type { LogEntry, Severity } from './log-entry.js';

const SEVERITY_LABEL: Readonly<Record<Severity, string>> = {
  DEFAULT: '-',
  DEBUG: 'DEBUG',
  INFO: 'INFO',
  WARNING: 'WARN',
  ERROR: 'ERROR',
};
/** Fields shown in their own columns, so the rest of the runtime's fields follow the message. */
const COLUMN_FIELDS = new Set([
  'time',
  'severity',
  'message',
  'pid',
  'requestId',
  'status',
  'latencyMs',
  'method',
  'path',
  'error',
  'code',
]);
const RED = '\u001b[31m';
const YELLOW = '\u001b[33m';
const RESET = '\u001b[0m';

export interface RenderOptions {
  /** ANSI colours for warnings and errors (a terminal without NO_COLOR). */
  readonly color: boolean;
}

/** One readable line; errors start with `!`, so they stand out without colour too. */
export function formatLogEntry(entry: LogEntry, options: RenderOptions): string {
  const fields = entry.fields ?? {};
  const parts = [new Date(entry.timeMs).toISOString(), SEVERITY_LABEL[entry.severity].padEnd(5)];
  const requestId = stringField(fields, 'requestId') ?? stringField(fields, 'request_id');
  if (requestId !== undefined) parts.push(`req=${requestId}`);
  const status = fields.status;
  if (typeof status === 'number' || typeof status === 'string') parts.push(String(status));
  const latency = fields.latencyMs ?? fields.latency_ms;
  if (typeof latency === 'number') parts.push(`${latency}ms`);
  const method = stringField(fields, 'method');
  const path = stringField(fields, 'path');
  const request = method !== undefined && path !== undefined ? `${method} ${path}` : undefined;
  const failure = [stringField(fields, 'code'), stringField(fields, 'error')]
    .filter((part) => part !== undefined)
    .join(': ');
  const message = [
    entry.message === 'request' && request !== undefined ? request : entry.message,
    failure,
  ]
    .filter((part) => part !== '')
    .join(' ');
  parts.push(message);
  const rest = Object.entries(fields).filter(
    ([key]) => !COLUMN_FIELDS.has(key) && key !== 'request_id' && key !== 'latency_ms',
  );
  if (rest.length > 0) {
    parts.push(rest.map(([key, value]) => `${key}=${compact(value)}`).join(' '));
  }
  if (entry.instance !== null) parts.push(`[${entry.instance}]`);
  const marker = entry.severity === 'ERROR' ? '!' : entry.severity === 'WARNING' ? '~' : ' ';
  const line = `${marker} ${parts.join('  ')}`;
  if (!options.color) return line;
  if (entry.severity === 'ERROR') return `${RED}${line}${RESET}`;
  if (entry.severity === 'WARNING') return `${YELLOW}${line}${RESET}`;
  return line;
}

/** One JSON object: the runtime's fields as written (or `message`), with `cloud` beside them. */
export function jsonLogEntry(entry: LogEntry): string {
  const cloud = { id: entry.id, instance: entry.instance, revision: entry.revision };
  const body =
    entry.fields === null
      ? {
          time: new Date(entry.timeMs).toISOString(),
          severity: entry.severity,
          message: entry.message,
        }
      : { time: new Date(entry.timeMs).toISOString(), severity: entry.severity, ...entry.fields };
  return JSON.stringify({ ...body, cloud });
}

/** The closing line of a read without --follow: how many, and how many went wrong. */
export function summarizeEntries(entries: readonly LogEntry[]): string {
  const errors = entries.filter((entry) => entry.severity === 'ERROR');
  const warnings = entries.filter((entry) => entry.severity === 'WARNING').length;
  const first = errors[0];
  return `${entries.length} lines, ${errors.length} errors, ${warnings} warnings${
    first === undefined ? '' : `; first error at ${new Date(first.timeMs).toISOString()}`
  }`;
}

function stringField(fields: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = fields[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function compact(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
