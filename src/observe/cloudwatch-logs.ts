/**
 * CloudWatch Logs (aws-ecs, aws-ec2-gpu): FilterLogEvents over the stack's log group, page by
 * page. The runtime's lines arrive as the container wrote them, one JSON object each. The SDK
 * loads only here.
 */
import type { FilterLogEventsCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
import { errors } from '../errors/index.js';
import { entryFromLine, type LogEntry } from './log-entry.js';
import type { LogPage, LogSource, LogWindow } from './log-source.js';
import { awsCallError, type AwsClientLike } from './aws-errors.js';

export interface CloudWatchLogsOptions {
  readonly region: string;
  readonly logGroup: string;
  /** Only these streams (ECS: the tasks of one revision). */
  readonly streams?: (window: LogWindow) => Promise<readonly string[] | undefined>;
  readonly client?: AwsClientLike;
}

/** ECS writes `<prefix>/<container>/<task id>`; EC2's awslogs driver names the stream itself. */
function instanceOf(stream: string): string {
  const parts = stream.split('/');
  return parts.length === 3 ? (parts[2] ?? stream) : stream;
}

export async function cloudWatchLogSource(options: CloudWatchLogsOptions): Promise<LogSource> {
  const sdk = await import('@aws-sdk/client-cloudwatch-logs');
  const client: AwsClientLike =
    options.client ?? new sdk.CloudWatchLogsClient({ region: options.region });
  const where = `the log group ${options.logGroup} in ${options.region}`;
  return {
    description: `CloudWatch Logs, ${where}`,
    async read(window: LogWindow): Promise<LogPage> {
      if (window.revision !== undefined && options.streams === undefined) {
        // On EC2 the awslogs driver names streams after containers, which name no revision.
        throw errors.flagInvalid(
          'revision',
          window.revision,
          'no --revision on aws-ec2-gpu: its CloudWatch log streams do not say which revision wrote them',
        );
      }
      const streams = options.streams === undefined ? undefined : await options.streams(window);
      if (streams !== undefined && streams.length === 0) return { entries: [], truncated: false };
      const entries: LogEntry[] = [];
      let nextToken: string | undefined;
      do {
        let output: FilterLogEventsCommandOutput;
        try {
          output = (await client.send(
            new sdk.FilterLogEventsCommand({
              logGroupName: options.logGroup,
              startTime: window.startMs,
              ...(streams === undefined ? {} : { logStreamNames: [...streams].slice(0, 100) }),
              limit: Math.min(10_000, window.limit - entries.length),
              ...(nextToken === undefined ? {} : { nextToken }),
            }),
          )) as FilterLogEventsCommandOutput;
        } catch (error) {
          throw awsCallError(
            {
              api: 'CloudWatch Logs FilterLogEvents',
              resource: where,
              action: 'logs:FilterLogEvents',
              notFound: ['ResourceNotFoundException'],
            },
            error,
          );
        }
        for (const event of output.events ?? []) {
          const stream = event.logStreamName ?? '';
          entries.push(
            entryFromLine(event.message ?? '', {
              id: event.eventId ?? `${stream}/${event.timestamp ?? 0}/${entries.length}`,
              timeMs: event.timestamp ?? 0,
              instance: stream === '' ? null : instanceOf(stream),
              revision: null,
            }),
          );
        }
        nextToken = output.nextToken;
      } while (nextToken !== undefined && entries.length < window.limit);
      entries.sort((a, b) => a.timeMs - b.timeMs);
      return { entries, truncated: nextToken !== undefined };
    },
  };
}
