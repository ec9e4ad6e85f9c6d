/**
 * A private dockerd per test file: its own socket, data-root and exec-root under /tmp, so suites
 * never touch (or depend on) a host engine and parallel workers never share state.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import {
  keepEngines,
  keptNotice,
  logTail,
  missingRequirements,
  skipReasonOrThrow,
  spawnDaemon,
  stopDaemon,
  waitForDaemon,
} from './daemon.js';

export interface DockerEngine {
  docker: Dockerode;
  socketPath: string;
  /** For tools that take DOCKER_HOST (docker CLI, terraform's docker provider). */
  dockerHost: string;
  logFile: string;
  stop(): Promise<void>;
}

export function dockerEngineProblems(): string[] {
  return missingRequirements([{ binary: 'dockerd', aptPackage: 'docker.io' }]);
}

/** Skip reason for describe.skipIf; undefined when dockerd can run. Throws under CI=true. */
export function dockerEngineSkipReason(): string | undefined {
  return skipReasonOrThrow('docker integration tests', dockerEngineProblems());
}

const START_TIMEOUT_MS = 60_000;
/** Above dockerd's own --shutdown-timeout so it gets to stop containers itself. */
const STOP_GRACE_MS = 15_000;

export function dockerdArgs(dir: string): string[] {
  return [
    // No iptables/bridge: the sandbox has no netfilter; containers use host networking instead.
    '--iptables=false',
    '--ip6tables=false',
    '--bridge=none',
    // vfs works on any filesystem (overlay-on-overlay does not); it copies layers, hence slow.
    '--storage-driver=vfs',
    `--host=unix://${join(dir, 'd.sock')}`,
    `--data-root=${join(dir, 'root')}`,
    `--exec-root=${join(dir, 'exec')}`,
    // The defaults (/var/run/docker.pid, /etc/docker/daemon.json) are shared by every dockerd on
    // the host and would make parallel test engines collide or pick up host settings.
    `--pidfile=${join(dir, 'd.pid')}`,
    `--config-file=${join(dir, 'daemon.json')}`,
    // Node as PID 1 ignores SIGTERM; don't let leftover containers hold shutdown for 15 s.
    '--shutdown-timeout=3',
  ];
}

export async function startDockerEngine(): Promise<DockerEngine> {
  // Fixed /tmp, not os.tmpdir(): unix socket paths must stay under ~100 chars.
  const dir = await mkdtemp('/tmp/bctl-');
  const socketPath = join(dir, 'd.sock');
  const logFile = join(dir, 'dockerd.log');
  await writeFile(join(dir, 'daemon.json'), '{}\n');

  const daemon = spawnDaemon('dockerd', dockerdArgs(dir), logFile);
  const docker = new Dockerode({ socketPath });
  // Separate client because the modem timeout applies to every request, builds included.
  const pinger = new Dockerode({ socketPath, timeout: 2_000 });
  const stop = async (): Promise<void> => {
    if (keepEngines()) {
      daemon.release();
      console.warn(keptNotice(daemon, `dockerd at DOCKER_HOST=unix://${socketPath}`, dir));
      return;
    }
    // containerd needs no separate kill: dockerd starts it with a parent-death signal.
    await stopDaemon(daemon, STOP_GRACE_MS);
    await unmountLeftovers(dir);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitForDaemon(
      async () => {
        await pinger.ping();
        return true;
      },
      { what: `dockerd (${socketPath})`, timeoutMs: START_TIMEOUT_MS, daemon },
    );
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return { docker, socketPath, dockerHost: `unix://${socketPath}`, logFile, stop };
}

/**
 * Even a clean shutdown leaves exec-root/netns/default (an nsfs bind mount made for host-network
 * containers) mounted, and a SIGKILL also leaves the data-root bind mount: rm -rf fails with
 * EBUSY on those, so unmount whatever is still mounted under the engine's directory first.
 */
async function unmountLeftovers(dir: string): Promise<void> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const mounts = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined && point.startsWith(`${dir}/`))
    // Deepest first, so a mount is never hidden under one unmounted before it.
    .sort((a, b) => b.length - a.length);
  for (const point of mounts) {
    await promisify(execFile)('umount', ['-l', point]).catch(async (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(
        `cannot unmount ${point}: ${message}\n${await logTail(join(dir, 'dockerd.log'))}`,
      );
    });
  }
}
