import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDeploymentLock, withDeploymentLock } from '../../src/deploy/deployment-lock.js';

describe('deployment lock', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bentoctl-lock-'));
    file = join(dir, 'demo', 'apply.lock');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('GIVEN a free deployment WHEN locked THEN the file names this process, and release removes it', () => {
    const lock = acquireDeploymentLock('demo', file, 'apply');

    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      pid: process.pid,
      host: hostname(),
      command: 'apply',
    });
    lock.release();
    expect(existsSync(file)).toBe(false);
  });

  it('GIVEN a lock held by a live process WHEN locking again THEN it is refused naming the holder', () => {
    const lock = acquireDeploymentLock('demo', file, 'apply');

    expect(() => acquireDeploymentLock('demo', file, 'destroy')).toThrow(
      expect.objectContaining({
        code: 'DEPLOYMENT_LOCKED',
        message: expect.stringContaining(`bentoctl apply (pid ${process.pid}`) as string,
      }),
    );
    lock.release();
  });

  it('GIVEN a lock left by a process that has exited WHEN locking THEN the stale lock is taken over', () => {
    // A real pid that is certainly gone: a child that has already exited.
    const exited = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    acquireDeploymentLock('demo', file, 'apply').release();
    writeFileSync(
      file,
      JSON.stringify({
        pid: Number(exited),
        host: hostname(),
        command: 'apply',
        startedAt: 'earlier',
      }),
    );

    const lock = acquireDeploymentLock('demo', file, 'plan');

    expect(lock.owner.pid).toBe(process.pid);
    lock.release();
  });

  it('GIVEN a lock from another host WHEN locking THEN it is refused, since its pid cannot be checked here', () => {
    acquireDeploymentLock('demo', file, 'apply').release();
    writeFileSync(
      file,
      JSON.stringify({ pid: 1, host: 'ci-runner-7', command: 'apply', startedAt: 'earlier' }),
    );

    expect(() => acquireDeploymentLock('demo', file, 'apply')).toThrow(/pid 1 on ci-runner-7/);
  });

  it('GIVEN a task that throws WHEN run under the lock THEN the lock is released anyway', async () => {
    await expect(
      withDeploymentLock('demo', file, 'apply', async () => {
        throw new Error('terraform exploded');
      }),
    ).rejects.toThrow('terraform exploded');
    expect(existsSync(file)).toBe(false);
  });

  it('GIVEN our lock was taken over WHEN released THEN the new holder keeps its file', () => {
    const lock = acquireDeploymentLock('demo', file, 'apply');
    const other = JSON.stringify({
      pid: process.pid,
      host: hostname(),
      command: 'apply',
      startedAt: 'another run',
    });
    writeFileSync(file, other);

    lock.release();

    expect(readFileSync(file, 'utf8')).toBe(other);
  });
});
