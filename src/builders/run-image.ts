/**
 * Runs a built image on the local engine the way the clouds do (the config's runtime
 * environment), waits for `/readyz` and stops it with SIGTERM so the runtime drains.
 *
 * Network: `host` by default, because engines without a bridge network (rootless setups, CI
 * sandboxes, this project's test engine) can only run host-network containers; the server then
 * binds 127.0.0.1 so it is not exposed beyond this machine. Any other mode publishes the port
 * on 127.0.0.1 instead.
 */
import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { RUNTIME_ENV } from '../config/runtime-env.js';
import { pollReadyz } from '../deploy/wait-ready.js';
import { errors } from '../errors/index.js';
import { engineAddress, engineMessage, engineStatus, isConnectionError } from './engine.js';

export const DEFAULT_NETWORK_MODE = 'host';
const OUTPUT_TAIL_LINES = 40;
const POLL_INTERVAL_MS = 250;

export interface RunImageInput {
  readonly docker: Dockerode;
  readonly image: string;
  readonly port: number;
  /** Container environment (the config's runtime environment); PORT is set from `port`. */
  readonly env: Readonly<Record<string, string>>;
  /** @default 'host' */
  readonly networkMode?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Give the container every GPU (NVIDIA runtime), for `runtime.device: gpu`. @default false */
  readonly gpus?: boolean;
  /** Container output as it comes. */
  readonly onOutput?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
}

export interface RunningContainer {
  readonly id: string;
  readonly image: string;
  readonly url: string;
  /** Resolves with the exit code when the container stops for any reason. */
  readonly exited: Promise<number>;
  /** The last lines the container printed. */
  output(): string;
  /** Waits for 2xx on /readyz; throws CONTAINER_NOT_READY if it exits or the time runs out. */
  waitUntilReady(timeoutMs: number): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceSeconds`; removes the container; resolves the exit code. */
  stop(graceSeconds: number): Promise<number>;
}

export async function runImage(input: RunImageInput): Promise<RunningContainer> {
  const { docker, image, port } = input;
  const networkMode = input.networkMode ?? DEFAULT_NETWORK_MODE;
  const host = networkMode === 'host';
  const env = {
    ...input.env,
    [RUNTIME_ENV.port]: String(port),
    ...(host ? { [RUNTIME_ENV.host]: '127.0.0.1' } : {}),
  };
  let container: Dockerode.Container;
  try {
    await docker.getImage(image).inspect();
  } catch (error) {
    if (engineStatus(error) === 404) throw errors.imageNotBuilt(image);
    throw asEngineError(error, image);
  }
  try {
    container = await docker.createContainer({
      Image: image,
      Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
      Labels: { ...input.labels },
      ExposedPorts: { [`${port}/tcp`]: {} },
      HostConfig: {
        NetworkMode: networkMode,
        ...(input.gpus
          ? { DeviceRequests: [{ Driver: 'nvidia', Count: -1, Capabilities: [['gpu']] }] }
          : {}),
        ...(host
          ? {}
          : {
              PortBindings: { [`${port}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: String(port) }] },
            }),
      },
    });
  } catch (error) {
    throw asEngineError(error, image);
  }

  const tail: string[] = [];
  const remember = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      tail.push(line);
      if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
    }
  };
  // Attached before start, so not a line of start-up output is missed.
  const attached = await container.attach({ stream: true, stdout: true, stderr: true });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (chunk: Buffer) => (remember(chunk), input.onOutput?.(chunk, 'stdout')));
  stderr.on('data', (chunk: Buffer) => (remember(chunk), input.onOutput?.(chunk, 'stderr')));
  docker.modem.demuxStream(attached, stdout, stderr);

  // next-exit: the default (not-running) answers at once for a container not started yet.
  const exited = container
    .wait({ condition: 'next-exit' })
    .then((result: { StatusCode: number }) => result.StatusCode);
  try {
    await container.start();
  } catch (error) {
    await container.remove({ force: true }).catch(() => undefined);
    throw errors.containerNotReady(
      image,
      `the engine could not start it: ${engineMessage(error)}`,
      tail.join('\n'),
    );
  }
  const url = `http://127.0.0.1:${port}`;
  let stopping: Promise<number> | undefined;
  let exitCode: number | undefined;
  void exited.then(
    (code) => (exitCode = code),
    () => undefined,
  );

  return {
    id: container.id,
    image,
    url,
    exited,
    output: () => tail.join('\n'),
    async waitUntilReady(timeoutMs) {
      // The deploy poller, at a local pace: a container on this machine answers in milliseconds.
      const outcome = await pollReadyz(`${url}/readyz`, {
        timeoutMs,
        initialDelayMs: POLL_INTERVAL_MS,
        maxDelayMs: POLL_INTERVAL_MS,
        requestTimeoutMs: 2_000,
        // 2xx only: the runtime never puts /readyz behind authentication.
        unmet: (probe) => (probe.status >= 200 && probe.status < 300 ? undefined : probe.detail),
        stopped: () =>
          exitCode === undefined
            ? undefined
            : `it exited with code ${exitCode} before answering /readyz`,
      });
      if (outcome.kind === 'met') return;
      throw errors.containerNotReady(
        image,
        outcome.kind === 'stopped'
          ? outcome.reason
          : `${url}/readyz did not answer 2xx within ${Math.round(timeoutMs / 1000)} s (last: ${outcome.reason})`,
        tail.join('\n'),
      );
    },
    stop(graceSeconds) {
      stopping ??= (async () => {
        await container.stop({ t: graceSeconds }).catch((error: unknown) => {
          // 304: already stopped; 404: already removed. Both mean there is nothing to stop.
          const status = engineStatus(error);
          if (status !== 304 && status !== 404) throw asEngineError(error, image);
        });
        const code = await exited;
        await container.remove({ force: true }).catch(() => undefined);
        return code;
      })();
      return stopping;
    },
  };
}

function asEngineError(error: unknown, image: string): Error {
  if (isConnectionError(error)) return errors.engineUnreachable(engineAddress(), error);
  return errors.containerNotReady(image, engineMessage(error), '');
}
