/**
 * Structured logs: one JSON object per line, with a level filter fixed at start-up. The fields
 * `severity` and `message` are the ones Cloud Logging, Azure Monitor and most log shippers read
 * without a parser configured, so a line lands with the right level and text on every target.
 */
import type { LogLevel } from './settings.js';

const ORDER: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Cloud Logging's LogSeverity names (also understood by Fluent Bit and Datadog). */
export const SEVERITY: Readonly<Record<LogLevel, string>> = {
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
};

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  enabled(level: LogLevel): boolean;
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

/** `write` defaults to stdout; tests pass their own to collect lines. */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stdout.write(line),
): Logger {
  const threshold = ORDER[level];
  return {
    enabled: (wanted) => ORDER[wanted] >= threshold,
    log(wanted, message, fields = {}) {
      if (ORDER[wanted] < threshold) return;
      write(`${logLine(wanted, message, fields)}\n`);
    },
  };
}

/** One log line's JSON, for the few places that write before a logger exists. */
export function logLine(level: LogLevel, message: string, fields: LogFields = {}): string {
  return JSON.stringify({
    time: new Date().toISOString(),
    severity: SEVERITY[level],
    pid: process.pid,
    message,
    ...fields,
  });
}
