/**
 * CloudWatch Logs through the real SDK client against a scripted endpoint: FilterLogEvents as
 * the API reference documents it (events with logStreamName, timestamp, message, eventId;
 * nextToken while more pages remain), and its AccessDeniedException.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { awsObserver } from '../../src/observe/aws-observer.js';
import type { ResolvedConfig } from '../../src/config/resolved-config.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BentoctlError } from '../../src/errors/index.js';
import { cloudWatchLogSource } from '../../src/observe/cloudwatch-logs.js';
import { readLogs } from '../../src/observe/follow-logs.js';
import {
  awsClientSettings,
  awsJsonError,
  startAwsScriptedServer,
  type AwsScriptedServer,
} from '../helpers/aws-scripted-server.js';

const T0 = Date.parse('2026-12-01T08:00:00.000Z');
const line = (fields: Record<string, unknown>) => JSON.stringify(fields);

describe('CloudWatch Logs reader', () => {
  let server: AwsScriptedServer;
  let client: CloudWatchLogsClient;
  beforeAll(async () => {
    server = await startAwsScriptedServer();
    client = new CloudWatchLogsClient(awsClientSettings(server));
  });
  afterAll(async () => server?.close());
  beforeEach(() => {
    server.calls.length = 0;
    server.script.clear();
  });

  it('GIVEN two pages WHEN read THEN it pages with nextToken and parses the runtime lines', async () => {
    server.script.set('FilterLogEvents', [
      {
        body: {
          events: [
            {
              logStreamName: 'bento/bento/0123456789abcdef',
              timestamp: T0,
              ingestionTime: T0 + 400,
              eventId: 'e1',
              message: line({
                time: '2026-12-01T08:00:00.000Z',
                severity: 'ERROR',
                message: 'request',
                requestId: 'req-1',
                method: 'POST',
                path: '/classify',
                status: 500,
                code: 'INFERENCE_FAILED',
                latencyMs: 12.5,
              }),
            },
          ],
          nextToken: 'page-2',
        },
      },
      {
        body: {
          events: [
            {
              logStreamName: 'bento/bento/0123456789abcdef',
              timestamp: T0 + 1000,
              eventId: 'e2',
              message: 'plain text from node\n',
            },
          ],
        },
      },
    ]);
    const source = await cloudWatchLogSource({
      region: 'us-east-1',
      logGroup: '/bentoctl/iris-prod',
      client,
    });

    const page = await source.read({ startMs: T0 - 60_000, limit: 100 });

    expect(server.calls.map((call) => call.input)).toEqual([
      { logGroupName: '/bentoctl/iris-prod', startTime: T0 - 60_000, limit: 100 },
      {
        logGroupName: '/bentoctl/iris-prod',
        startTime: T0 - 60_000,
        limit: 99,
        nextToken: 'page-2',
      },
    ]);
    expect(page.truncated).toBe(false);
    expect(page.entries).toMatchObject([
      {
        id: 'e1',
        severity: 'ERROR',
        instance: '0123456789abcdef',
        fields: { requestId: 'req-1', status: 500, latencyMs: 12.5 },
      },
      { id: 'e2', severity: 'DEFAULT', message: 'plain text from node', fields: null },
    ]);
  });

  it('GIVEN AccessDeniedException WHEN read THEN CLOUD_ACCESS_DENIED names logs:FilterLogEvents on the group', async () => {
    server.script.set('FilterLogEvents', [
      awsJsonError(
        'AccessDeniedException',
        'User: arn:aws:sts::123456789012:assumed-role/dev/x is not authorized to perform: logs:FilterLogEvents',
      ),
    ]);
    const source = await cloudWatchLogSource({
      region: 'us-east-1',
      logGroup: '/bentoctl/iris-prod',
      client,
    });

    const error = await source.read({ startMs: T0, limit: 10 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BentoctlError);
    expect((error as BentoctlError).code).toBe('CLOUD_ACCESS_DENIED');
    expect((error as BentoctlError).exitCode).toBe(3);
    expect((error as BentoctlError).hint).toContain(
      'logs:FilterLogEvents on the log group /bentoctl/iris-prod in us-east-1',
    );
  });

  it('GIVEN no such log group WHEN read THEN CLOUD_RESOURCE_NOT_FOUND', async () => {
    server.script.set('FilterLogEvents', [
      awsJsonError('ResourceNotFoundException', 'The specified log group does not exist.'),
    ]);
    const source = await cloudWatchLogSource({
      region: 'us-east-1',
      logGroup: '/bentoctl/nope',
      client,
    });

    const error = (await source
      .read({ startMs: T0, limit: 10 })
      .catch((e: unknown) => e)) as BentoctlError;

    expect(error.code).toBe('CLOUD_RESOURCE_NOT_FOUND');
  });

  it('GIVEN --follow WHEN a later poll returns the overlap again THEN each event prints once, from the overlap start', async () => {
    const event = (id: string, offsetMs: number) => ({
      logStreamName: 'bento/bento/t1',
      timestamp: T0 + offsetMs,
      eventId: id,
      message: line({ time: new Date(T0 + offsetMs).toISOString(), severity: 'INFO', message: id }),
    });
    server.script.set('FilterLogEvents', [
      { body: { events: [event('a', 0), event('b', 5000)] } },
      { body: { events: [event('b', 5000), event('c', 6000)] } },
      { body: { events: [] } },
    ]);
    const source = await cloudWatchLogSource({
      region: 'us-east-1',
      logGroup: '/bentoctl/iris-prod',
      client,
    });
    const stop = new AbortController();
    const seen: string[] = [];

    await readLogs(source, {
      sinceMs: T0 - 1000,
      follow: true,
      pollIntervalMs: 1,
      overlapMs: 3000,
      signal: stop.signal,
      onEntries: (entries) => {
        seen.push(...entries.map((entry) => entry.message));
        if (seen.length >= 3) stop.abort();
      },
    });

    expect(seen).toEqual(['a', 'b', 'c']);
    expect(server.calls[1]?.input.startTime).toBe(T0 + 5000 - 3000);
  });

  describe('--revision on aws-ecs', () => {
    const config = {
      name: 'iris-prod',
      spec: { region: 'us-east-1' },
    } as unknown as ResolvedConfig;
    const task = (id: string, revision: number) => ({
      taskArn: `arn:aws:ecs:us-east-1:123456789012:task/iris-prod/${id}`,
      taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/iris-prod:${revision}`,
      lastStatus: 'RUNNING',
    });

    it('GIVEN tasks of revisions 6 and 7 WHEN read with --revision iris-prod:7 THEN only their streams are filtered', async () => {
      server.script.set('ListTasks', [
        { body: { taskArns: [task('t1', 7).taskArn, task('t2', 6).taskArn] } },
        { body: { taskArns: [task('t3', 7).taskArn] } },
      ]);
      server.script.set('DescribeTasks', [
        { body: { tasks: [task('t1', 7), task('t2', 6), task('t3', 7)], failures: [] } },
      ]);
      server.script.set('FilterLogEvents', [{ body: { events: [] } }]);
      const observer = awsObserver(config, 'aws-ecs', {
        logs: client,
        ecs: new ECSClient(awsClientSettings(server)),
      });

      await (await observer.logs()).read({ startMs: T0, revision: 'iris-prod:7', limit: 10 });

      expect(server.calls.map((call) => call.operation)).toEqual([
        'ListTasks',
        'ListTasks',
        'DescribeTasks',
        'FilterLogEvents',
      ]);
      expect(server.calls[0]?.input).toMatchObject({
        serviceName: 'iris-prod',
        desiredStatus: 'RUNNING',
      });
      expect(server.calls[3]?.input.logStreamNames).toEqual(['bento/bento/t1', 'bento/bento/t3']);
    });

    it('GIVEN a revision that is not a number WHEN read THEN FLAG_INVALID says the form', async () => {
      const observer = awsObserver(config, 'aws-ecs', { logs: client });

      const error = (await (
        await observer.logs()
      )
        .read({ startMs: T0, revision: 'latest', limit: 10 })
        .catch((e: unknown) => e)) as BentoctlError;

      expect(error.code).toBe('FLAG_INVALID');
      expect(error.message).toContain('a task definition revision: 7 or iris-prod:7');
    });
  });
});
