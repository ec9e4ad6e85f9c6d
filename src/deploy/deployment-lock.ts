/**
 * One bentoctl run at a time per deployment folder: a lock file created with O_EXCL holding the
 * owner's pid and host. A lock whose process is gone (killed, crashed) is stale and taken over;
 * a lock from another host is never judged, since its pid means nothing here. Remote state has
 * its own lock in the backend (S3 lock file, GCS, Azure blob lease), which terraform takes.
 */
import {
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { errors } from '../errors/index.js';

export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** e.g. `apply` */
  readonly command: string;
  /** ISO 8601 */
  readonly startedAt: string;
}

export interface DeploymentLock {
  readonly file: string;
  readonly owner: LockOwner;
  /** Removes the lock file if it is still ours; safe to call twice. */
  release(): void;
}

/** An unreadable lock file older than this is a half-written leftover, not a live lock. */
const UNREADABLE_STALE_MS = 10_000;

/** Takes the lock or throws DEPLOYMENT_LOCKED naming who holds it. */
export function acquireDeploymentLock(
  deployment: string,
  file: string,
  command: string,
): DeploymentLock {
  mkdirSync(dirname(file), { recursive: true });
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    command,
    startedAt: new Date().toISOString(),
  };
  // Two attempts: the second after removing a stale lock. If another process wins the race to
  // replace the stale lock, the second attempt reports that process as the holder.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      try {
        writeSync(fd, `${JSON.stringify(owner)}\n`);
      } finally {
        closeSync(fd);
      }
      return ownedLock(file, owner);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') throw cause;
    }
    const holder = readOwner(file);
    if (attempt === 0 && isStale(file, holder)) {
      removeIfExists(file);
      continue;
    }
    throw errors.deploymentLocked(deployment, file, describeOwner(holder));
  }
  throw errors.deploymentLocked(deployment, file, 'another process');
}

/** Runs `task` holding the deployment's lock, releasing it however `task` ends. */
export async function withDeploymentLock<T>(
  deployment: string,
  file: string,
  command: string,
  task: () => Promise<T>,
): Promise<T> {
  const lock = acquireDeploymentLock(deployment, file, command);
  try {
    return await task();
  } finally {
    lock.release();
  }
}

function ownedLock(file: string, owner: LockOwner): DeploymentLock {
  let released = false;
  // Commands catch SIGINT/SIGTERM (src/cli/interrupts.ts) and release in `finally`; a process
  // that ends without running `finally` blocks (process.exit) still leaves no lock behind.
  const onExit = () => release();
  process.once('exit', onExit);
  function release(): void {
    if (released) return;
    released = true;
    process.removeListener('exit', onExit);
    const current = readOwner(file);
    if (current !== undefined && current.pid === owner.pid && current.startedAt === owner.startedAt)
      removeIfExists(file);
  }
  return { file, owner, release };
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return undefined;
    return {
      pid: value.pid,
      host: value.host,
      command: typeof value.command === 'string' ? value.command : 'unknown',
      startedAt: typeof value.startedAt === 'string' ? value.startedAt : 'unknown',
    };
  } catch {
    return undefined;
  }
}

function isStale(file: string, owner: LockOwner | undefined): boolean {
  if (owner === undefined) {
    try {
      return Date.now() - statSync(file).mtimeMs > UNREADABLE_STALE_MS;
    } catch {
      return true;
    }
  }
  return owner.host === hostname() && !isProcessAlive(owner.pid);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (cause) {
    // EPERM: the process exists but belongs to another user.
    return (cause as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describeOwner(owner: LockOwner | undefined): string {
  if (owner === undefined) return 'a run whose lock file cannot be read';
  return `bentoctl ${owner.command} (pid ${owner.pid} on ${owner.host}, since ${owner.startedAt})`;
}

function removeIfExists(file: string): void {
  try {
    unlinkSync(file);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw cause;
  }
}
