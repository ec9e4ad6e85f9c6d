/**
 * `bentoctl logs` and `bentoctl status` as users run them: the built CLI in a child process,
 * the real AWS SDK clients pointed at a scripted local endpoint through AWS_ENDPOINT_URL (which
 * SDK v3 honours), with static test credentials.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  awsJsonError,
  startAwsScriptedServerLowPort,
  type AwsScriptedServer,
} from '../helpers/aws-scripted-server.js';
import { runCli, startCli } from '../helpers/run-cli.js';
import { ECS_ROLLOUT } from './aws-fixtures.js';

const T0 = Date.now() - 60_000;
const event = (id: string, offsetMs: number, fields: Record<string, unknown>) => ({
  logStreamName: 'bento/bento/task0001',
  timestamp: T0 + offsetMs,
  eventId: id,
  message: JSON.stringify({ time: new Date(T0 + offsetMs).toISOString(), ...fields }),
});
const REQUEST_OK = {
  severity: 'INFO',
  message: 'request',
  requestId: 'req-ok',
  status: 200,
  latencyMs: 3.2,
};
const REQUEST_FAILED = {
  severity: 'ERROR',
  message: 'request',
  requestId: 'req-bad',
  status: 500,
  latencyMs: 9.1,
};

describe('logs and status against a scripted AWS endpoint', () => {
  let server: AwsScriptedServer;
  let dir: string;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, { cwd: dir, env });

  beforeAll(async () => {
    server = await startAwsScriptedServerLowPort();
    dir = mkdtempSync(join(tmpdir(), 'bentoctl-observe-'));
    mkdirSync(join(dir, 'bento'));
    writeFileSync(join(dir, 'bento', 'bento.yaml'), 'service: demo\nmodels: []\napis: []\n');
    writeFileSync(
      join(dir, 'deployment_config.yaml'),
      'api_version: v1\nname: iris-prod\nbento: ./bento\ntarget: aws-ecs\nspec:\n  region: us-east-1\n',
    );
    env = {
      AWS_ENDPOINT_URL: server.url,
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_REGION: 'us-east-1',
      AWS_MAX_ATTEMPTS: '1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
      // The SDK's notice about future Node.js versions is not what these tests read.
      NODE_NO_WARNINGS: '1',
    };
  });
  afterAll(async () => {
    await server?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    server.calls.length = 0;
    server.script.clear();
  });

  it('GIVEN runtime lines in CloudWatch WHEN `logs --since 5m` THEN they print readably, the error marked, and a summary closes', async () => {
    server.script.set('FilterLogEvents', [
      { body: { events: [event('e1', 0, REQUEST_OK), event('e2', 1000, REQUEST_FAILED)] } },
    ]);

    const result = await cli('logs', '--since', '5m');

    expect(result.stderr).toContain(
      'CloudWatch Logs, the log group /bentoctl/iris-prod in us-east-1',
    );
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^ {2}\S+Z {2}INFO {3}req=req-ok {2}200 {2}3\.2ms {2}request {2}\[task0001\]$/,
    );
    expect(lines[1]).toMatch(/^! \S+Z {2}ERROR {2}req=req-bad {2}500 {2}9\.1ms/);
    expect(result.stderr).toContain('2 lines, 1 errors, 0 warnings');
    const startTime = server.calls[0]?.input.startTime as number;
    expect(Math.abs(Date.now() - 5 * 60_000 - startTime)).toBeLessThan(60_000);
  });

  it('GIVEN --json WHEN `logs` THEN stdout is one runtime JSON object per line', async () => {
    server.script.set('FilterLogEvents', [
      { body: { events: [event('e1', 0, REQUEST_OK), event('e2', 1000, REQUEST_FAILED)] } },
    ]);

    const result = await cli('logs', '--json');

    expect(result.status).toBe(0);
    const objects = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(objects).toMatchObject([
      { requestId: 'req-ok', status: 200, cloud: { id: 'e1', instance: 'task0001' } },
      { requestId: 'req-bad', severity: 'ERROR' },
    ]);
  });

  it('GIVEN AccessDeniedException WHEN `logs` THEN it exits 3 naming logs:FilterLogEvents on the log group', async () => {
    server.script.set('FilterLogEvents', [
      awsJsonError('AccessDeniedException', 'not authorized to perform: logs:FilterLogEvents'),
    ]);

    const result = await cli('logs');

    expect(result.status).toBe(3);
    expect(result.stderr).toContain('Error [CLOUD_ACCESS_DENIED]');
    expect(result.stderr).toContain(
      'logs:FilterLogEvents on the log group /bentoctl/iris-prod in us-east-1',
    );
  });

  it('GIVEN --follow WHEN a new line arrives and then Ctrl-C THEN both polls print and it exits 130', async () => {
    server.script.set('FilterLogEvents', [
      { body: { events: [event('e1', 0, REQUEST_OK)] } },
      { body: { events: [event('e1', 0, REQUEST_OK), event('e2', 1000, REQUEST_FAILED)] } },
      { body: { events: [] } },
    ]);
    const { child, exited } = startCli(['logs', '--follow'], { cwd: dir, env, timeoutMs: 30_000 });
    let stdout = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('req-bad')) resolve();
      });
      child.on('close', () => resolve());
    });
    child.kill('SIGINT');

    expect((await exited).status).toBe(130);
    expect(stdout.match(/req-ok/g)).toHaveLength(1);
    expect(stdout).toContain('req-bad');
  });

  it('GIVEN an ECS rollout WHEN `status` THEN the live rows show counts, revisions and the failing event', async () => {
    server.script.set('DescribeServices', [{ body: ECS_ROLLOUT }]);
    server.script.set('DescribeTaskDefinition', [
      {
        body: {
          taskDefinition: {
            taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/iris-prod:7',
            containerDefinitions: [{ name: 'bento', image: 'repo@sha256:' + 'b'.repeat(64) }],
          },
          tags: [{ key: 'bento-version', value: 'v7hash' }],
        },
      },
    ]);
    server.script.set('DescribeTargetHealth', [
      {
        body: '<DescribeTargetHealthResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DescribeTargetHealthResult><TargetHealthDescriptions/></DescribeTargetHealthResult></DescribeTargetHealthResponse>',
      },
    ]);

    const result = await cli('status');

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/live +ECS service iris-prod in cluster iris-prod \(us-east-1\)/);
    expect(result.stdout).toMatch(/instances +3 running of 2 desired; rollout IN_PROGRESS/);
    expect(result.stdout).toContain(
      'iris-prod:7: primary, in_progress, 1 failed tasks, 1/2 running, bento v7hash',
    );
    expect(result.stdout).toMatch(
      /event +! \S+ \(service iris-prod\) \(task 0a1b2c\) failed container health checks/,
    );
  });

  it('GIVEN ECS denies DescribeServices WHEN `status --json` THEN the local records come with liveError and it exits 3', async () => {
    server.script.set('DescribeServices', [
      awsJsonError('AccessDeniedException', 'not authorized to perform: ecs:DescribeServices'),
    ]);

    const json = await cli('status', '--json');
    const human = await cli('status');

    expect(json.status).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({
      name: 'iris-prod',
      live: null,
      liveError: {
        code: 'CLOUD_ACCESS_DENIED',
        hint: expect.stringContaining('ecs:DescribeServices'),
      },
    });
    expect(human.status).toBe(3);
    expect(human.stdout).toContain('live           unavailable: [CLOUD_ACCESS_DENIED]');
    expect(human.stdout).toContain("bento version and image above are the local records'");
  });

  it('GIVEN --no-live WHEN `status` THEN no cloud API is called', async () => {
    const result = await cli('status', '--no-live');

    expect(result.status).toBe(0);
    expect(server.calls).toEqual([]);
    expect(result.stdout).toContain('unavailable: not asked (--no-live)');
  });
});
