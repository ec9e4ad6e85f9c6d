/**
 * Smoke test for the test engines themselves: if this fails, every image-building integration
 * suite would fail for reasons unrelated to bentoctl. It walks the path a bento image takes:
 * build FROM the node base, run, push to a registry, pull back by digest.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type Dockerode from 'dockerode';
import { pack as tarPack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import {
  builtImageId,
  DockerStreamError,
  followDockerStream,
  pushedDigest,
} from '../../src/builders/docker-stream.js';
import { BASE_IMAGE_USER } from '../helpers/base-image.js';
import { useEngines } from '../helpers/engines.js';
import { freePort } from '../helpers/registry.js';

// CommonJS on purpose: /app has no package.json, so node treats .js as CJS.
const SERVER_JS = `
const http = require('node:http');
const stamp = require('node:fs').readFileSync('/app/stamp.txt', 'utf8');
// As PID 1 node ignores SIGTERM unless it handles it, which would make every stop take the timeout.
process.on('SIGTERM', () => process.exit(0));
http
  .createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ stamp, uid: process.getuid(), node: process.version }));
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
`;

function dockerfile(baseImage: string): string {
  return [
    `FROM ${baseImage}`,
    'WORKDIR /app',
    'COPY server.js /app/server.js',
    // Exercises /bin/sh (redirects, &&) and node inside a build container.
    'RUN echo run-step-ok > /app/stamp.txt && node --version >> /app/stamp.txt',
    `USER ${BASE_IMAGE_USER.name}`,
    'CMD ["node", "/app/server.js"]',
    '',
  ].join('\n');
}

/** The context goes to the engine as a tar stream built in memory: no temp dir to clean up. */
function buildContext(files: Record<string, string>): NodeJS.ReadableStream {
  const tar = tarPack();
  for (const [name, content] of Object.entries(files)) tar.entry({ name, mode: 0o644 }, content);
  tar.finalize();
  // Readable.from: dockerode wants a Node stream, tar-stream 3 produces a streamx one.
  return Readable.from(tar);
}

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

describe('docker smoke (private dockerd + registry)', () => {
  const engines = useEngines();

  it('builds FROM the node base, runs, pushes and pulls back by digest', async () => {
    const { docker, registry } = engines;
    const timings: Record<string, number> = {};
    const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
      const start = performance.now();
      try {
        return await work();
      } finally {
        timings[name] = Math.round(performance.now() - start);
      }
    };
    const localTag = `bentoctl-smoke/app:${randomBytes(4).toString('hex')}`;
    const remoteRepo = `${registry.host}/bentoctl-smoke/app`;

    const imageId = await step('build', async () => {
      const signal = AbortSignal.timeout(120_000);
      const context = buildContext({
        Dockerfile: dockerfile(engines.baseImage),
        'server.js': SERVER_JS,
      });
      const stream = await docker.buildImage(context, {
        t: localTag,
        forcerm: true,
        abortSignal: signal,
      });
      const events = await followDockerStream(docker, stream, {
        operation: `build of ${localTag}`,
        signal,
      });
      return builtImageId(events, `build of ${localTag}`);
    });
    expect(imageId).toMatch(/^sha256:[0-9a-f]{64}$/);

    const answer = await step('run', () => runAndQuery(docker, localTag));
    expect(answer).toEqual({
      stamp: `run-step-ok\n${process.version}\n`,
      uid: BASE_IMAGE_USER.uid,
      node: process.version,
    });

    const digest = await step('push', async () => {
      await docker.getImage(localTag).tag({ repo: remoteRepo, tag: 'v1' });
      const signal = AbortSignal.timeout(120_000);
      // No authconfig: the registry is open, and the engine accepts a push without one.
      const stream = await docker.getImage(remoteRepo).push({ tag: 'v1', abortSignal: signal });
      const events = await followDockerStream(docker, stream, {
        operation: `push of ${remoteRepo}:v1`,
        signal,
      });
      return pushedDigest(events, `push of ${remoteRepo}:v1`);
    });
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const response = await fetch(`${registry.url}/v2/bentoctl-smoke/app/manifests/v1`, {
      headers: { accept: MANIFEST_ACCEPT },
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBe(200);
    const body = Buffer.from(await response.arrayBuffer());
    expect(response.headers.get('docker-content-digest')).toBe(digest);
    expect(`sha256:${createHash('sha256').update(body).digest('hex')}`).toBe(digest);
    // The image id is the config digest, so the registry must hold exactly what was built.
    const manifest = JSON.parse(body.toString('utf8')) as { config?: { digest?: string } };
    expect(manifest.config?.digest).toBe(imageId);

    await docker.getImage(imageId).remove({ force: true });
    await expect(docker.getImage(localTag).inspect()).rejects.toMatchObject({ statusCode: 404 });

    const byDigest = `${remoteRepo}@${digest}`;
    await step('pull', async () => {
      const signal = AbortSignal.timeout(120_000);
      const stream = await docker.pull(byDigest, { abortSignal: signal });
      await followDockerStream(docker, stream, { operation: `pull of ${byDigest}`, signal });
    });
    const pulled = await docker.getImage(byDigest).inspect();
    expect(pulled.Id).toBe(imageId);
    expect(pulled.RepoDigests).toContain(byDigest);

    console.info(
      `[docker smoke] timings (ms): ${JSON.stringify({ ...engines.timings, ...timings })}`,
    );
  }, 300_000);

  // The trap this guards against: the engine reports a failed RUN step inside an HTTP 200
  // stream, and followProgress alone calls that a success.
  it('reports a failing RUN step as an error with the step output', async () => {
    const { docker } = engines;
    const context = buildContext({
      Dockerfile: `FROM ${engines.baseImage}\nRUN echo about-to-fail && exit 3\n`,
    });
    const signal = AbortSignal.timeout(60_000);
    const stream = await docker.buildImage(context, { forcerm: true, abortSignal: signal });
    const following = followDockerStream(docker, stream, { operation: 'failing build', signal });
    await expect(following).rejects.toBeInstanceOf(DockerStreamError);
    await expect(following).rejects.toThrow(/failing build failed: .*non-zero code: 3/);
    await expect(following).rejects.toThrow(/about-to-fail/);
  }, 120_000);
});

/** Runs the image with host networking on a free port and returns its JSON answer. */
async function runAndQuery(docker: Dockerode, image: string): Promise<unknown> {
  const port = await freePort();
  const container = await docker.createContainer({
    Image: image,
    Env: [`PORT=${port}`],
    // A TTY makes the logs plain text, which is what a failure message wants.
    Tty: true,
    HostConfig: { NetworkMode: 'host' },
  });
  try {
    await container.start();
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`, {
          signal: AbortSignal.timeout(2_000),
        });
        return (await res.json()) as unknown;
      } catch (error) {
        const state = (await container.inspect()).State;
        if (!state.Running || Date.now() > deadline) {
          const logs = await container.logs({ stdout: true, stderr: true });
          throw new Error(
            `container never answered on ${port} (running: ${String(state.Running)}, exit ${state.ExitCode}): ` +
              `${error instanceof Error ? error.message : String(error)}\n${logs.toString()}`,
          );
        }
        await sleep(100);
      }
    }
  } finally {
    await container.stop({ t: 5 }).catch(() => undefined);
    await container.remove({ force: true });
  }
}
