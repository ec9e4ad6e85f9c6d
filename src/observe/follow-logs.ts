/**
 * Reads a LogSource once, or again and again until stopped (`--follow`). Every cloud makes an
 * entry searchable a little after it was written (CloudWatch and Cloud Logging ingest with a
 * delay of seconds, pod logs are cut at whole seconds), so each poll reads back an overlap
 * before the newest entry seen and drops what was already printed, by entry id.
 */
import type { LogEntry } from './log-entry.js';
import type { LogSource } from './log-source.js';

export interface FollowOptions {
  readonly sinceMs: number;
  readonly revision?: string | undefined;
  /** Poll again until `signal` aborts. */
  readonly follow: boolean;
  /** @default 2000 */
  readonly pollIntervalMs?: number;
  /** How far before the newest entry each poll reads again. @default 10000 */
  readonly overlapMs?: number;
  /** Entries per read. @default 5000 */
  readonly limit?: number;
  readonly signal?: AbortSignal;
  /** Called once per read with the new entries, oldest first. */
  readonly onEntries: (entries: readonly LogEntry[]) => void;
}

export interface FollowResult {
  readonly count: number;
  /** The first read held more than `limit` entries: the oldest ones were printed, not all. */
  readonly truncated: boolean;
}

export async function readLogs(source: LogSource, options: FollowOptions): Promise<FollowResult> {
  const pollIntervalMs = options.pollIntervalMs ?? 2000;
  const overlapMs = options.overlapMs ?? 10_000;
  const limit = options.limit ?? 5000;
  const seen = new Map<string, number>();
  let newestMs = options.sinceMs;
  let count = 0;
  let truncated = false;
  let first = true;
  while (first || (options.follow && options.signal?.aborted !== true)) {
    if (!first) await sleep(pollIntervalMs, options.signal);
    if (options.signal?.aborted === true) break;
    const startMs = first ? options.sinceMs : Math.max(options.sinceMs, newestMs - overlapMs);
    const page = await source.read({ startMs, revision: options.revision, limit });
    if (first) truncated = page.truncated;
    first = false;
    const fresh = page.entries.filter((entry) => !seen.has(entry.id));
    for (const entry of fresh) {
      seen.set(entry.id, entry.timeMs);
      newestMs = Math.max(newestMs, entry.timeMs);
    }
    // Ids older than the overlap cannot come back: forget them so a long follow stays small.
    for (const [id, timeMs] of seen) if (timeMs < newestMs - 2 * overlapMs) seen.delete(id);
    count += fresh.length;
    if (fresh.length > 0) options.onEntries(fresh);
  }
  return { count, truncated };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
