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

/** Lines a sampler lets through per key: a burst, then this many per second. */
export const LOG_SAMPLE_BURST = 10;
export const LOG_SAMPLE_PER_SECOND = 5;

/**
 * A token bucket per key (status and error code): returns undefined when the line should be
 * dropped, else how many lines of that key were dropped since the last one let through.
 */
export function createLogSampler(
  now: () => number = () => performance.now(),
): (key: string) => number | undefined {
  const buckets = new Map<string, { tokens: number; at: number; dropped: number }>();
  return (key) => {
    const time = now();
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      // Keys are bounded (status x code), so the map stays small.
      bucket = { tokens: LOG_SAMPLE_BURST, at: time, dropped: 0 };
      buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(
      LOG_SAMPLE_BURST,
      bucket.tokens + ((time - bucket.at) / 1000) * LOG_SAMPLE_PER_SECOND,
    );
    bucket.at = time;
    if (bucket.tokens < 1) {
      bucket.dropped += 1;
      return undefined;
    }
    bucket.tokens -= 1;
    const dropped = bucket.dropped;
    bucket.dropped = 0;
    return dropped;
  };
}
