/**
 * What each cloud's log reader implements: the entries written in a time window, oldest first.
 * Following is the same loop for every cloud (follow-logs.ts), so the readers stay stateless.
 */
import type { LogEntry } from './log-entry.js';

export interface LogWindow {
  /** Inclusive, milliseconds since the epoch. */
  readonly startMs: number;
  /** Only entries of this revision (`--revision`). */
  readonly revision?: string | undefined;
  /** Stop after this many entries; the reader says whether it stopped early. */
  readonly limit: number;
}

export interface LogPage {
  /** Oldest first. */
  readonly entries: readonly LogEntry[];
  /** More entries were in the window than `limit`. */
  readonly truncated: boolean;
}

export interface LogSource {
  /** What is read, for messages: `CloudWatch Logs group /bentoctl/iris-prod (us-east-1)`. */
  readonly description: string;
  read(window: LogWindow): Promise<LogPage>;
}
