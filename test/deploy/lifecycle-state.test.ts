import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  lifecycleFromOutputs,
  lifecycleOf,
  nextLifecycle,
  type LifecycleRecord,
} from '../../src/deploy/lifecycle-state.js';
import { withoutHistory, writeReleaseFile } from '../../src/deploy/release-stack-file.js';

const IRIS = { deployment: 'iris', command: 'apply', configFile: 'deploy/iris.yaml' } as const;
const NOW = new Date('2026-12-01T10:00:00.000Z');
const TERMINATED: LifecycleRecord = {
  state: 'terminated',
  since: '2026-11-30T09:00:00.000Z',
  by: 'github:octocat',
};

describe('lifecycle state', () => {
  it('GIVEN no record THEN the deployment is running, and a plain apply keeps it so', () => {
    expect(lifecycleOf(undefined)).toBe('running');
    expect(lifecycleFromOutputs({})).toBeUndefined();
    expect(nextLifecycle(IRIS, undefined, 'keep', 'me', NOW)).toBeUndefined();
  });

  it('GIVEN running WHEN terminated THEN the record says who and when; terminating again keeps it', () => {
    const record = nextLifecycle(IRIS, undefined, 'terminate', 'me@host', NOW);
    expect(record).toEqual({ state: 'terminated', since: NOW.toISOString(), by: 'me@host' });
    expect(nextLifecycle(IRIS, TERMINATED, 'terminate', 'me@host', NOW)).toBe(TERMINATED);
  });

  it('GIVEN terminated WHEN a plain apply plans THEN DEPLOYMENT_TERMINATED names when and who, the command and the restore of its config', () => {
    expect(() => nextLifecycle(IRIS, TERMINATED, 'keep', 'ci', NOW)).toThrow(
      expect.objectContaining({
        code: 'DEPLOYMENT_TERMINATED',
        message: expect.stringMatching(
          /^`bentoctl apply` refused: deployment iris is terminated \(since 2026-11-30T09:00:00.000Z, by github:octocat/,
        ),
        hint: expect.stringMatching(/^Run `bentoctl restore -f deploy\/iris.yaml` /),
      }),
    );
  });

  it('GIVEN terminated WHEN restored THEN running; restoring a running one is refused', () => {
    expect(nextLifecycle(IRIS, TERMINATED, 'restore', 'me', NOW)).toEqual({
      state: 'running',
      since: NOW.toISOString(),
      by: 'me',
    });
    expect(() => nextLifecycle(IRIS, undefined, 'restore', 'me', NOW)).toThrow(
      expect.objectContaining({ code: 'DEPLOYMENT_NOT_TERMINATED' }),
    );
  });

  it('GIVEN a malformed lifecycle output THEN it is reported, not read as running', () => {
    expect(() =>
      lifecycleFromOutputs({
        bentoctl_lifecycle: { value: { state: 'paused' }, sensitive: false },
      }),
    ).toThrow(expect.objectContaining({ code: 'RELEASE_HISTORY_INVALID' }));
  });
});

describe('release file with a lifecycle record', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bentoctl-lifecycle-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'main.tf.json'),
    JSON.stringify({ resource: { terraform_data: { service: {} } } }),
  );

  it('GIVEN no record THEN the file has no lifecycle resource (plans of deployments never terminated are unchanged)', () => {
    const file = writeReleaseFile(dir, []);
    const json = JSON.parse(readFileSync(file, 'utf8')) as {
      resource: { terraform_data: Record<string, unknown> };
      output: Record<string, unknown>;
    };
    expect(Object.keys(json.resource.terraform_data)).toEqual(['bentoctl_release_history']);
    expect(Object.keys(json.output)).toEqual(['bentoctl_releases']);
  });

  it('GIVEN a record THEN it is a terraform_data input after every stack resource, with an output bentoctl hides', () => {
    const file = writeReleaseFile(dir, [], { lifecycle: TERMINATED });
    const json = JSON.parse(readFileSync(file, 'utf8')) as {
      resource: { terraform_data: Record<string, { input: unknown; depends_on: string[] }> };
      output: Record<string, { value: string }>;
    };
    expect(json.resource.terraform_data.bentoctl_lifecycle).toEqual({
      input: TERMINATED,
      depends_on: ['terraform_data.service'],
    });
    expect(json.output.bentoctl_lifecycle?.value).toBe(
      '${terraform_data.bentoctl_lifecycle.output}',
    );
    expect(
      withoutHistory({
        endpoint: { value: 'x', sensitive: false },
        bentoctl_lifecycle: { value: TERMINATED, sensitive: false },
      }),
    ).toEqual({ endpoint: { value: 'x', sensitive: false } });
  });
});
