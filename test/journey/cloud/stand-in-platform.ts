/**
 * The release journey's stand-in for the cloud platform behind a stack: an HTTP endpoint per
 * deployment (`<url>/<deployment>`, the `endpoint` output of the stand-in stack) that runs what
 * the deployment's Terraform state says, as ECS would. On a request it reads the state the
 * stand-in terraform recorded for the deployment; when the state pins another image or
 * environment than the running container, it pulls that image (with the registry's
 * credentials) and starts it in the private Docker engine, and keeps answering from the old
 * container until the new one is ready: a rolling update. Requests are proxied to the container,
 * so /readyz and predictions come from the real runtime in the real image.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { freePort } from '../../helpers/registry.js';

export interface StandInPlatform {
  readonly url: string;
  /** Rollouts so far, in order: deployment, image, container id. */
  readonly rollouts: readonly Rollout[];
  stop(): Promise<void>;
}

export interface Rollout {
  readonly deployment: string;
  readonly image: string;
  readonly container: string;
}

export interface PlatformOptions {
  readonly docker: Dockerode;
  /** Where the stand-in terraform writes terraform.log. */
  readonly cloudDir: string;
  /** Credentials by registry host, for pulls. */
  readonly registryAuth: Readonly<Record<string, { username: string; password: string }>>;
  readonly log: (line: string) => void;
}

interface Desired {
  readonly image: string;
  readonly environment: Readonly<Record<string, string>>;
}

interface Running {
  readonly key: string;
  readonly container: Dockerode.Container;
  readonly port: number;
}

interface Deployment {
  current?: Running;
  rollout?: { key: string; done: Promise<void> };
}

const READY_TIMEOUT_MS = 60_000;

export async function startStandInPlatform(options: PlatformOptions): Promise<StandInPlatform> {
  const deployments = new Map<string, Deployment>();
  const rollouts: Rollout[] = [];
  const containers: Dockerode.Container[] = [];

  const desiredOf = (deployment: string): Desired | undefined => {
    const state = statePath(options.cloudDir, deployment);
    if (state === undefined) return undefined;
    let parsed: {
      resources?: {
        type: string;
        name: string;
        instances: { attributes: { input: { value: Desired } } }[];
      }[];
    };
    try {
      parsed = JSON.parse(readFileSync(state, 'utf8')) as typeof parsed;
    } catch {
      return undefined;
    }
    const service = parsed.resources?.find(
      (resource) => resource.type === 'terraform_data' && resource.name === 'service',
    );
    return service?.instances[0]?.attributes.input.value;
  };

  const rollOut = async (deployment: string, desired: Desired, key: string): Promise<Running> => {
    const host = desired.image.split('/')[0]!;
    const auth = options.registryAuth[host];
    const stream = await options.docker.pull(desired.image, {
      ...(auth === undefined ? {} : { authconfig: { ...auth, serveraddress: host } }),
    });
    await new Promise<void>((resolve, reject) =>
      options.docker.modem.followProgress(stream, (error: Error | null) =>
        error ? reject(error) : resolve(),
      ),
    );
    const port = await freePort();
    const environment = { ...desired.environment, PORT: String(port) };
    const container = await options.docker.createContainer({
      Image: desired.image,
      Env: Object.entries(environment).map(([name, value]) => `${name}=${value}`),
      HostConfig: { NetworkMode: 'host' },
      Labels: { 'bentoctl-journey': deployment },
    });
    containers.push(container);
    await container.start();
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/readyz`, {
          signal: AbortSignal.timeout(2_000),
        });
        if (response.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${desired.image} did not get ready on ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    rollouts.push({ deployment, image: desired.image, container: container.id });
    options.log(
      `platform: ${deployment} now runs ${desired.image} (container ${container.id.slice(0, 12)}, port ${port})`,
    );
    return { key, container, port };
  };

  /** The container to answer from: the current one, starting a rollout when the state moved on. */
  const serving = (deployment: string): Running | undefined => {
    const desired = desiredOf(deployment);
    const entry = deployments.get(deployment) ?? {};
    deployments.set(deployment, entry);
    if (desired === undefined) return entry.current;
    const key = JSON.stringify(desired);
    if (entry.current?.key !== key && entry.rollout?.key !== key) {
      const done = rollOut(deployment, desired, key).then(
        async (running) => {
          const old = entry.current;
          entry.current = running;
          entry.rollout = undefined;
          await old?.container.stop({ t: 1 }).catch(() => undefined);
        },
        (error: unknown) => {
          entry.rollout = undefined;
          options.log(
            `platform: ${deployment} rollout of ${desired.image} FAILED: ${String(error)}`,
          );
        },
      );
      entry.rollout = { key, done };
    }
    return entry.current;
  };

  const server: Server = createServer((request, response) => {
    void answer(request, response).catch((error: unknown) => {
      response.statusCode = 502;
      response.end(String(error));
    });
  });
  const answer = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const [, deployment = '', ...rest] = (request.url ?? '/').split('/');
    const running = serving(deployment);
    if (running === undefined) {
      response.statusCode = 503;
      response.end(`${deployment} has no running revision yet\n`);
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const upstream = await fetch(`http://127.0.0.1:${running.port}/${rest.join('/')}`, {
      method: request.method ?? 'GET',
      headers: Object.fromEntries(
        Object.entries(request.headers).flatMap(([name, value]) =>
          typeof value === 'string' && name !== 'host' ? [[name, value]] : [],
        ),
      ),
      ...(chunks.length === 0 ? {} : { body: Buffer.concat(chunks) }),
    });
    response.statusCode = upstream.status;
    upstream.headers.forEach((value, name) => {
      if (name !== 'content-length' && name !== 'transfer-encoding')
        response.setHeader(name, value);
    });
    response.end(Buffer.from(await upstream.arrayBuffer()));
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    rollouts,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...deployments.values()].map((entry) => entry.rollout?.done));
      // Killed, not removed: removing copies of the image on vfs is slow, and the engine's own
      // teardown deletes its data root with them.
      await Promise.allSettled(containers.map((container) => container.kill()));
    },
  };
}

/** The state file of the deployment's latest stack, from the stand-in terraform's log. */
function statePath(cloudDir: string, deployment: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(cloudDir, 'terraform.log'), 'utf8');
  } catch {
    return undefined;
  }
  const entries = text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { deployment: string; state: string });
  return entries.filter((entry) => entry.deployment === deployment).at(-1)?.state;
}
