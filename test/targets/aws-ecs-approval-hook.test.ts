/**
 * The approval hook's own logic: the file the stack zips, unzipped and run in node as Lambda
 * would load it, with a fake SSM reader in place of the runtime's AWS SDK.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { approvalHookZip } from '../../src/targets/aws-ecs/approval-hook.js';
import {
  APPROVAL_HOOK_FILE,
  APPROVAL_PARAMETER_ENV,
  APPROVAL_TIMEOUT_HOURS,
  CALLBACK_DELAY_SECONDS,
} from '../../src/targets/aws-ecs/approval-hook-source.js';

interface HookAnswer {
  hookStatus: string;
  callBackDelay?: number;
  hookDetails?: Record<string, unknown>;
}
type Handler = (event: unknown) => Promise<HookAnswer>;
interface HookModule {
  createHandler(read: (name: string) => Promise<string>, now?: () => number): Handler;
  handler: Handler;
}

const PARAMETER = '/bentoctl/iris-prod/release-approval';
const REVISION = 'iris-prod-0123456789ab';
const STABLE = 'iris-prod-ba9876543210';
const NOW = Date.parse('2026-12-01T10:00:00Z');

/** The payload ECS sends, with the hook details the stack set (as JSON text or a value). */
const event = (details: unknown) => ({
  serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/iris-prod/iris-prod',
  targetServiceRevisionArn:
    'arn:aws:ecs:us-east-1:123456789012:service-revision/iris-prod/iris-prod/0127',
  testTrafficWeights: {},
  productionTrafficWeights: {},
  hookDetails: details,
});

describe('the aws-ecs approval hook', () => {
  let dir: string;
  let hook: HookModule;
  let logged: MockInstance<typeof console.log>;
  const reads: string[] = [];
  const withApproval =
    (value: string | Error, now = NOW) =>
    (details: unknown) =>
      hook.createHandler(
        async (name) => {
          reads.push(name);
          if (value instanceof Error) throw value;
          return value;
        },
        () => now,
      )(event(details));
  const approval = (approved: string, rejected = '') => JSON.stringify({ approved, rejected });

  beforeAll(async () => {
    // Each answer logs one line (Lambda sends it to the hook's log group).
    logged = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    process.env[APPROVAL_PARAMETER_ENV] = PARAMETER;
    dir = mkdtempSync(join(tmpdir(), 'bentoctl-hook-'));
    const files = unzipSync(approvalHookZip());
    expect(Object.keys(files)).toEqual([APPROVAL_HOOK_FILE]);
    const file = join(dir, APPROVAL_HOOK_FILE);
    writeFileSync(file, strFromU8(files[APPROVAL_HOOK_FILE] ?? new Uint8Array()));
    hook = (await import(pathToFileURL(file).href)) as HookModule;
  });
  afterAll(() => {
    logged?.mockRestore();
    delete process.env[APPROVAL_PARAMETER_ENV];
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('GIVEN another revision approved (pending) THEN it answers IN_PROGRESS, asks again in a minute and carries when it started waiting', async () => {
    reads.length = 0;
    const answer = await withApproval(approval(STABLE))(JSON.stringify({ revision: REVISION }));

    expect(answer).toEqual({
      hookStatus: 'IN_PROGRESS',
      callBackDelay: CALLBACK_DELAY_SECONDS,
      hookDetails: { revision: REVISION, waitingSince: NOW },
    });
    expect(reads).toEqual([PARAMETER]);
    expect(JSON.parse(String(logged.mock.lastCall?.[0]))).toEqual({
      hookStatus: 'IN_PROGRESS',
      reason: 'waiting for approval',
      revision: REVISION,
      parameter: PARAMETER,
    });
  });

  it('GIVEN the revision approved THEN it answers SUCCEEDED', async () => {
    expect(await withApproval(approval(REVISION))({ revision: REVISION })).toEqual({
      hookStatus: 'SUCCEEDED',
    });
  });

  it('GIVEN the revision rejected THEN it answers FAILED, and ECS rolls back', async () => {
    expect(await withApproval(approval(STABLE, REVISION))({ revision: REVISION })).toEqual({
      hookStatus: 'FAILED',
    });
  });

  it('GIVEN a later call still pending THEN it keeps the first call time, and past the timeout it answers FAILED', async () => {
    const hoursLater = (hours: number) => NOW + hours * 3600_000;
    const details = { revision: REVISION, waitingSince: NOW };

    const within = await withApproval(
      approval(STABLE),
      hoursLater(APPROVAL_TIMEOUT_HOURS - 1),
    )(details);
    const past = await withApproval(
      approval(STABLE),
      hoursLater(APPROVAL_TIMEOUT_HOURS + 1),
    )(details);

    expect(within).toMatchObject({ hookStatus: 'IN_PROGRESS', hookDetails: details });
    expect(past).toEqual({ hookStatus: 'FAILED' });
  });

  it('GIVEN the parameter cannot be read THEN it asks again instead of rolling back', async () => {
    const answer = await withApproval(new Error('ThrottlingException'))({ revision: REVISION });

    expect(answer).toMatchObject({ hookStatus: 'IN_PROGRESS', callBackDelay: 60 });
  });

  it('GIVEN hook details without a revision THEN it answers FAILED rather than let anything through', async () => {
    expect(await withApproval(approval(REVISION))('{}')).toEqual({ hookStatus: 'FAILED' });
    expect(await withApproval(approval(REVISION))('not json')).toEqual({ hookStatus: 'FAILED' });
  });

  it('GIVEN the hook details inside executionDetails THEN it reads them there too', async () => {
    const answer = await hook.createHandler(
      async () => approval(REVISION),
      () => NOW,
    )({
      executionDetails: { hookDetails: { revision: REVISION } },
    });

    expect(answer).toEqual({ hookStatus: 'SUCCEEDED' });
  });

  it('GIVEN the module as Lambda loads it THEN it exports index.handler', () => {
    expect(typeof hook.handler).toBe('function');
  });
});
