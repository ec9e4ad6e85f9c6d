/**
 * What `bentoctl logs` does between parsing and exiting: find the deployment's log source, say
 * where it reads from, print each line as it arrives, and close a single read with its counts.
 */
import type { ResolvedConfig } from '../config/resolved-config.js';
import { readLogs } from './follow-logs.js';
import type { LogEntry } from './log-entry.js';
import { observerFor } from './observer.js';
import { formatLogEntry, jsonLogEntry, summarizeEntries } from './render-log.js';
import { parseSince } from './since.js';

export interface PrintLogsOptions {
  /** `--since`: a duration back from now (30s, 10m, 2h, 1d) or an ISO 8601 time. */
  readonly since: string;
  readonly revision?: string | undefined;
  /** Poll again until `signal` aborts; no closing summary. */
  readonly follow: boolean;
  readonly signal: AbortSignal;
  /** One JSON object per line (the runtime's own), instead of text. */
  readonly json: boolean;
  /** Colour the text lines (a terminal without NO_COLOR). */
  readonly color: boolean;
  /** Log lines, as they arrive. */
  readonly write: (text: string) => void;
  /** Where it reads from, and the closing counts. */
  readonly progress: (line: string) => void;
}

/** Reads the deployment's runtime log lines (once, or until stopped) and prints them. */
export async function printLogs(config: ResolvedConfig, options: PrintLogsOptions): Promise<void> {
  const sinceMs = parseSince(options.since);
  const source = await (await observerFor(config)).logs();
  options.progress(
    `${source.description}, since ${new Date(sinceMs).toISOString()}${options.follow ? ' (following; Ctrl-C to stop)' : ''}`,
  );
  const printed: LogEntry[] = [];
  const result = await readLogs(source, {
    sinceMs,
    revision: options.revision,
    follow: options.follow,
    signal: options.signal,
    onEntries: (entries) => {
      if (!options.follow) printed.push(...entries);
      options.write(
        `${entries.map((entry) => (options.json ? jsonLogEntry(entry) : formatLogEntry(entry, { color: options.color }))).join('\n')}\n`,
      );
    },
  });
  if (options.follow || options.signal.aborted) return;
  options.progress(summarizeEntries(printed));
  if (result.truncated)
    options.progress(
      'More lines were written than one read returns: narrow --since to see the rest.',
    );
}
