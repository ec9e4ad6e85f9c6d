/**
 * Cloud Logging (google-cloud-run): entries.list on the project, filtered to the service's
 * revisions and to the container's stdout and stderr. Cloud Run parses each JSON line into
 * `jsonPayload` and moves `severity` (and `time`) onto the entry itself.
 */
import { entryFromFields, severityOf, type LogEntry } from './log-entry.js';
import type { LogPage, LogSource, LogWindow } from './log-source.js';
import type { GoogleCall } from './google-api.js';

const API = 'https://logging.googleapis.com/v2/entries:list';
/** The largest page entries.list returns. */
const PAGE_SIZE = 1000;

export interface CloudRunLogsOptions {
  readonly project: string;
  readonly region: string;
  readonly service: string;
  readonly call: <T>(request: GoogleCall) => Promise<T | undefined>;
}

interface LoggingEntry {
  readonly insertId?: string;
  readonly timestamp?: string;
  readonly severity?: string;
  readonly resource?: { readonly labels?: Readonly<Record<string, string>> };
  readonly labels?: Readonly<Record<string, string>>;
  readonly jsonPayload?: Readonly<Record<string, unknown>>;
  readonly textPayload?: string;
}

/** The filter of entries.list, in the Logging query language. */
export function cloudRunLogFilter(options: CloudRunLogsOptions, window: LogWindow): string {
  const logs = ['stdout', 'stderr']
    .map((log) => `"projects/${options.project}/logs/run.googleapis.com%2F${log}"`)
    .join(' OR ');
  return [
    'resource.type="cloud_run_revision"',
    `resource.labels.service_name="${options.service}"`,
    `resource.labels.location="${options.region}"`,
    ...(window.revision === undefined
      ? []
      : [`resource.labels.revision_name="${window.revision}"`]),
    `logName=(${logs})`,
    `timestamp>="${new Date(window.startMs).toISOString()}"`,
  ].join(' AND ');
}

export function cloudRunLogSource(options: CloudRunLogsOptions): LogSource {
  const resource = `the logs of Cloud Run service ${options.service} (project ${options.project})`;
  return {
    description: `Cloud Logging, ${resource}`,
    async read(window: LogWindow): Promise<LogPage> {
      const entries: LogEntry[] = [];
      let pageToken: string | undefined;
      do {
        const page = await options.call<{ entries?: LoggingEntry[]; nextPageToken?: string }>({
          api: 'Cloud Logging entries.list',
          resource,
          role: 'roles/logging.viewer',
          method: 'POST',
          url: API,
          body: {
            resourceNames: [`projects/${options.project}`],
            filter: cloudRunLogFilter(options, window),
            orderBy: 'timestamp asc',
            pageSize: Math.min(PAGE_SIZE, window.limit - entries.length),
            ...(pageToken === undefined ? {} : { pageToken }),
          },
        });
        for (const item of page?.entries ?? []) {
          const timeMs = Date.parse(item.timestamp ?? '');
          const origin = {
            id: item.insertId ?? `${item.timestamp ?? ''}/${entries.length}`,
            timeMs: Number.isNaN(timeMs) ? 0 : timeMs,
            instance: item.labels?.instanceId?.slice(0, 12) ?? null,
            revision: item.resource?.labels?.revision_name ?? null,
            ...(severityOf(item.severity) === undefined
              ? {}
              : { severity: severityOf(item.severity) }),
          };
          entries.push(entryFromFields(item.jsonPayload ?? null, item.textPayload ?? '', origin));
        }
        pageToken = page?.nextPageToken || undefined;
      } while (pageToken !== undefined && entries.length < window.limit);
      return { entries, truncated: pageToken !== undefined };
    },
  };
}
