/** Structured logs: one JSON object per line, with a level filter fixed at start-up. */
import type { LogLevel } from './settings.js';

const ORDER: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  enabled(level: LogLevel): boolean;
  log(level: LogLevel, msg: string, fields?: LogFields): void;
}

/** `write` defaults to stdout; tests pass their own to collect lines. */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stdout.write(line),
): Logger {
  const threshold = ORDER[level];
  return {
    enabled: (wanted) => ORDER[wanted] >= threshold,
    log(wanted, msg, fields = {}) {
      if (ORDER[wanted] < threshold) return;
      write(
        `${JSON.stringify({ time: new Date().toISOString(), level: wanted, pid: process.pid, msg, ...fields })}\n`,
      );
    },
  };
}
