/**
 * Plumbing shared by the dockerd and registry helpers: deciding whether a suite can run,
 * spawning a daemon with its output in a log file, waiting for it, and stopping it for sure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, appendFileSync, closeSync, constants, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Debug switch: leave daemons running and their temp dirs (logs, data) in place after a suite. */
export const KEEP_ENGINES_ENV = 'BENTOCTL_TEST_KEEP_ENGINES';

export function keepEngines(): boolean {
  return process.env[KEEP_ENGINES_ENV] === '1';
}

/** What to print instead of stopping a daemon in keep mode; cleanup also covers dockerd's mounts. */
export function keptNotice(daemon: Daemon, what: string, dir: string): string {
  const pid = String(daemon.child.pid);
  const unmount = `awk '$5 ~ "^${dir}/" {print $5}' /proc/self/mountinfo | xargs -r umount -l`;
  return (
    `[bentoctl tests] ${KEEP_ENGINES_ENV}=1: keeping ${what} (pid ${pid}), log ${daemon.logFile}\n` +
    `  clean up: kill ${pid}; sleep 5; ${unmount}; rm -rf ${dir}`
  );
}

export interface Requirement {
  binary: string;
  aptPackage: string;
}

/** Problems that make a daemon unusable here, phrased as "what is missing + how to install it". */
export function missingRequirements(requirements: readonly Requirement[]): string[] {
  const problems: string[] = [];
  for (const { binary, aptPackage } of requirements) {
    if (!onPath(binary)) {
      problems.push(`\`${binary}\` is not on PATH (install: apt-get install -y ${aptPackage})`);
    }
  }
  // dockerd needs root for mounts and namespaces; rootless dockerd is a different setup.
  if (process.getuid?.() !== 0) problems.push('tests that start daemons must run as root');
  return problems;
}

/**
 * Turns problems into a skip reason, except under CI=true where a silently skipped integration
 * suite would look green while testing nothing, so it throws instead.
 */
export function skipReasonOrThrow(suite: string, problems: readonly string[]): string | undefined {
  const unique = [...new Set(problems)];
  if (unique.length === 0) return undefined;
  const reason = `${suite} needs: ${unique.join('; ')}`;
  if (process.env.CI === 'true') {
    throw new Error(`${reason}. CI=true, so this is a failure rather than a skip.`);
  }
  announceSkip(reason);
  return reason;
}

const announced = new Set<string>();

/** A skipped suite is easy to miss in a long run, hence the banner (once per reason and worker). */
export function announceSkip(reason: string): void {
  if (announced.has(reason)) return;
  announced.add(reason);
  const bar = '='.repeat(78);
  console.warn(
    `\n${bar}\n SKIPPING INTEGRATION TESTS\n ${reason}\n Under CI=true this fails instead.\n${bar}\n`,
  );
}

function onPath(binary: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    if (dir === '') return false;
    try {
      accessSync(join(dir, binary), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export interface Daemon {
  child: ChildProcess;
  logFile: string;
  /** True once the process has exited or failed to spawn; lets waiters fail fast. */
  exited: () => boolean;
  /** Debug mode: let the daemon outlive the test process. */
  release: () => void;
}

export function spawnDaemon(command: string, args: readonly string[], logFile: string): Daemon {
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    // Not detached: Ctrl-C on the test run reaches the daemon too, which then shuts down cleanly.
    child = spawn(command, args, { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  // Safety net for a worker that exits without running afterAll (crash, process.exit()).
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  let exited = false;
  const markExited = (): void => {
    exited = true;
    process.off('exit', killOnExit);
  };
  child.once('exit', markExited);
  // Without a listener a failed spawn (ENOENT, EACCES) would crash the worker; logging it puts
  // the cause into the log tail that startup errors show.
  child.once('error', (error) => {
    appendFileSync(logFile, `bentoctl test helper: spawn ${command} failed: ${error.message}\n`);
    markExited();
  });
  return {
    child,
    logFile,
    exited: () => exited || child.exitCode !== null,
    release: () => {
      process.off('exit', killOnExit);
      child.unref();
    },
  };
}

/** SIGTERM, then SIGKILL once graceMs has passed; resolves when the process is gone. */
export async function stopDaemon(daemon: Daemon, graceMs: number): Promise<void> {
  if (daemon.exited()) return;
  const gone = new Promise<void>((resolve) => {
    daemon.child.once('exit', () => resolve());
    daemon.child.once('error', () => resolve());
  });
  daemon.child.kill('SIGTERM');
  const timer = sleep(graceMs).then(() => 'timeout' as const);
  if ((await Promise.race([gone, timer])) === 'timeout') {
    daemon.child.kill('SIGKILL');
    await gone;
  }
}

export interface WaitOptions {
  what: string;
  timeoutMs: number;
  daemon: Daemon;
}

/** Polls probe until it returns true; on timeout or daemon death the error carries the log tail. */
export async function waitForDaemon(
  probe: () => Promise<boolean>,
  { what, timeoutMs, daemon }: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (daemon.exited()) {
      throw new Error(
        `${what} exited during startup (code ${String(daemon.child.exitCode)})\n${await logTail(daemon.logFile)}`,
      );
    }
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await sleep(100);
  }
  throw new Error(
    `${what} did not answer within ${timeoutMs} ms (last: ${lastError})\n${await logTail(daemon.logFile)}`,
  );
}

export async function logTail(file: string, lines = 40): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return `--- last ${lines} lines of ${file} ---\n${text.trimEnd().split('\n').slice(-lines).join('\n')}`;
  } catch (error) {
    return `(no log at ${file}: ${error instanceof Error ? error.message : String(error)})`;
  }
}
