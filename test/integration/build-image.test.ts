/**
 * The image builder end to end on a private engine and registry: build the iris example with the
 * real runtime on the test node base, push, pull by digest, run with host networking, predict,
 * check the image's contract (labels, user, health check, drain on SIGTERM), then rebuild after
 * a model-only change and check that only the bento layer changed and was uploaded.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAndPushImage, type BuildResult } from '../../src/builders/build-and-push.js';
import { followDockerStream } from '../../src/builders/docker-stream.js';
import { LABEL_PREFIX } from '../../src/builders/image-plan.js';
import { runImage } from '../../src/builders/run-image.js';
import { loadConfig } from '../../src/config/load.js';
import { runtimeEnvironment } from '../../src/config/runtime-env.js';
import { deploymentPaths } from '../../src/config/deployment-paths.js';
import { readBuildRecord } from '../../src/deploy/deployment-records.js';
import { BASE_IMAGE_USER } from '../helpers/base-image.js';
import { useEngines } from '../helpers/engines.js';
import { freePort } from '../helpers/registry.js';
import { repoRoot, startCli } from '../helpers/run-cli.js';

const ROWS = [
  [5.1, 3.5, 1.4, 0.2],
  [6.0, 2.9, 4.5, 1.5],
  [6.9, 3.1, 5.4, 2.1],
  [5.9, 3.0, 4.9, 1.7],
];
const MiB = 1024 * 1024;

/** The runtime layer must stay small: bundled JS plus onnxruntime's linux-x64 files. */
const RUNTIME_LAYER_LIMIT_BYTES = 60 * MiB;

describe('bentoctl build (real engine, registry and runtime)', () => {
  const engines = useEngines();
  let workspace: string;
  let configFile: string;
  let first: BuildResult;

  beforeAll(() => {
    workspace = mkdtempSync(join(tmpdir(), 'bentoctl-build-'));
    cpSync(join(repoRoot, 'examples', 'iris'), join(workspace, 'iris'), { recursive: true });
    // Must not reach the image: it is excluded by .bentoignore.
    writeFileSync(join(workspace, 'iris', 'notes.txt'), 'scratch\n');
    writeFileSync(join(workspace, 'iris', '.bentoignore'), '*.txt\n');
    configFile = join(workspace, 'deployment_config.yaml');
    writeFileSync(
      configFile,
      [
        'api_version: v1',
        'name: iris-build',
        'bento: ./iris',
        'target: aws-ecs',
        'spec: { region: us-east-1 }',
        '',
      ].join('\n'),
    );
  });

  afterAll(() => {
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  const build = (): Promise<BuildResult> =>
    buildAndPushImage({
      config: loadConfig(configFile),
      push: true,
      registry: engines.registry.host,
      baseImage: engines.baseImage,
      docker: engines.docker,
      signal: AbortSignal.timeout(240_000),
    });

  it('builds and pushes the bento, recording the digest', async () => {
    first = await build();
    const push = first.push;
    expect(push?.repository).toBe(`${engines.registry.host}/iris-build`);
    expect(push?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(readBuildRecord(deploymentPaths('iris-build', workspace).buildRecord)).toEqual({
      repository: push?.repository,
      digest: push?.digest,
      tag: first.bento.version,
      bento_version: first.bento.version,
    });
    expect(first.runtimeBytes).toBeLessThan(RUNTIME_LAYER_LIMIT_BYTES);
  }, 300_000);

  it('pulls back by digest as the same image', async () => {
    const reference = first.push?.reference ?? '';
    const stream = await engines.docker.pull(reference);
    await followDockerStream(engines.docker, stream, { operation: `pull of ${reference}` });
    const pulled = await engines.docker.getImage(reference).inspect();
    expect(pulled.Id).toBe(first.imageId);
  }, 120_000);

  it('has the image contract: layers, labels, non-root user, health check, no telemetry', async () => {
    const image = await engines.docker.getImage(first.imageId).inspect();
    const base = await engines.docker.getImage(engines.baseImage).inspect();
    // base layers, then exactly two of ours: runtime, bento.
    expect(image.RootFS.Layers?.slice(0, -2)).toEqual(base.RootFS.Layers);
    expect(image.RootFS.Layers).toHaveLength((base.RootFS.Layers?.length ?? 0) + 2);
    const history = await engines.docker.getImage(first.imageId).history();
    // Newest first; the classic builder names COPY layers by content hash, so go by position.
    const [bentoLayer, runtimeLayer] = history.filter((entry: { Size: number }) => entry.Size > 0);
    expect(bentoLayer?.CreatedBy).toMatch(/COPY/);
    expect(runtimeLayer?.CreatedBy).toMatch(/COPY/);
    expect(runtimeLayer?.Size).toBeGreaterThan(0);
    expect(runtimeLayer?.Size).toBeLessThan(RUNTIME_LAYER_LIMIT_BYTES);

    const labels = image.Config.Labels ?? {};
    expect(labels[`${LABEL_PREFIX}.bento.name`]).toBe('iris_classifier');
    expect(labels[`${LABEL_PREFIX}.bento.version`]).toBe(first.bento.version);
    expect(labels[`${LABEL_PREFIX}.bento.source`]).toBe('./iris');
    expect(labels['org.opencontainers.image.version']).toBe(first.bento.version);
    expect(image.Config.User).toBe(`${BASE_IMAGE_USER.uid}:${BASE_IMAGE_USER.gid}`);
    expect(Object.keys(image.Config.ExposedPorts ?? {})).toEqual(['3000/tcp']);
    expect(image.Config.Env).toContain('ORT_DISABLE_TELEMETRY=1');
    expect(image.Config.Healthcheck?.Test?.[0]).toBe('CMD');
    expect(image.Config.Healthcheck?.Test?.slice(1, 3)).toEqual(['node', '-e']);
    expect(image.Architecture).toBe('amd64');
  });

  it('serves predictions equal to in-process onnxruntime, turns healthy, drains on SIGTERM', async () => {
    const config = loadConfig(configFile);
    const port = await freePort();
    const running = await runImage({
      docker: engines.docker,
      image: first.image,
      port,
      env: runtimeEnvironment(config),
    });
    try {
      await running.waitUntilReady(90_000);
      const response = await fetch(`${running.url}/classify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: ROWS }),
      });
      const body = (await response.json()) as { probabilities: number[][]; label: number[] };
      expect(response.status, JSON.stringify(body)).toBe(200);
      const expected = await predictInProcess(join(workspace, 'iris', 'models', 'iris.onnx'), ROWS);
      expect(body.label).toEqual(expected.label);
      body.probabilities.forEach((row, i) =>
        row.forEach((p, j) => expect(p).toBeCloseTo(expected.probabilities[i]?.[j] ?? NaN, 5)),
      );

      // The page for people and its Swagger UI files come from the image itself.
      const page = await fetch(`${running.url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('/docs/swagger-ui-bundle.js');
      const script = await fetch(`${running.url}/docs/swagger-ui-bundle.js`);
      expect(script.status).toBe(200);
      expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(1_000_000);

      // The engine runs the image's HEALTHCHECK (node + fetch /readyz) every 10 s.
      await waitFor(async () => {
        const state = (await engines.docker.getContainer(running.id).inspect()).State;
        return state.Health?.Status === 'healthy';
      }, 40_000);
      const top = await engines.docker.getContainer(running.id).top({ ps_args: '-o pid,uid,args' });
      const uidColumn = top.Titles.indexOf('UID');
      const uids = top.Processes.map((process: string[]) => process[uidColumn]);
      expect(uids.length).toBeGreaterThan(0);
      expect(new Set(uids)).toEqual(new Set([String(BASE_IMAGE_USER.uid)]));

      // Requests in flight when SIGTERM arrives must still be answered.
      const inFlight = Array.from({ length: 20 }, () =>
        fetch(`${running.url}/classify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ input: ROWS }),
        }).then(
          (res) => res.status,
          () => 'refused' as const,
        ),
      );
      await sleep(20);
      const exitCode = await running.stop(30);
      expect(exitCode, running.output()).toBe(0);
      const statuses = await Promise.all(inFlight);
      expect(
        statuses.filter((status) => status !== 200 && status !== 503 && status !== 'refused'),
      ).toEqual([]);
      expect(statuses).toContain(200);
    } finally {
      await running.stop(5);
    }
  }, 180_000);

  it('after a model-only change, rebuilds only the bento layer and uploads only it', async () => {
    const model = join(workspace, 'iris', 'models', 'iris.onnx');
    writeFileSync(model, changedWeight(readFileSync(model)));
    const second = await build();
    expect(second.bento.version).not.toBe(first.bento.version);
    expect(second.layers).toHaveLength(first.layers.length);
    expect(second.layers.slice(0, -1)).toEqual(first.layers.slice(0, -1));
    expect(second.layers.at(-1)).not.toBe(first.layers.at(-1));
    expect(second.push?.layersPushed).toBe(1);
    expect(second.push?.layersExisting).toBe(first.layers.length - 1);
  }, 300_000);

  it('refuses a base image the engine lacks and cannot pull with BASE_IMAGE_UNAVAILABLE', async () => {
    // Port 1 on loopback: the pull fails at once with "connection refused", no network needed.
    const failing = buildAndPushImage({
      config: loadConfig(configFile),
      push: false,
      baseImage: '127.0.0.1:1/bentoctl/missing-base:1',
      docker: engines.docker,
    });
    await expect(failing).rejects.toMatchObject({
      code: 'BASE_IMAGE_UNAVAILABLE',
      kind: 'external',
    });
    await expect(failing).rejects.toThrow(
      /127\.0\.0\.1:1\/bentoctl\/missing-base:1 is not in the engine/,
    );
  }, 60_000);

  it('warns when a device: gpu image is built on a base without CUDA 12 and cuDNN 9', async () => {
    const gpuConfig = join(workspace, 'gpu_config.yaml');
    writeFileSync(
      gpuConfig,
      [
        'api_version: v1',
        'name: iris-gpu-build',
        'bento: ./iris',
        'target: aws-ec2-gpu',
        'spec: { region: us-west-2, instance_type: g5.xlarge }',
        'runtime: { device: gpu }',
        '',
      ].join('\n'),
    );
    // The test base image is the host's node and its libraries: no CUDA.
    const result = await buildAndPushImage({
      config: loadConfig(gpuConfig),
      push: false,
      baseImage: engines.baseImage,
      docker: engines.docker,
      signal: AbortSignal.timeout(240_000),
    });
    const warning = result.warnings.find((text) => text.includes('the base image'));
    expect(warning).toContain(engines.baseImage);
    expect(warning).toContain('has no CUDA');
    expect(warning).toContain('DEVICE_UNAVAILABLE');
  }, 300_000);

  // Needs dist/ (npm run build), like every test that runs the CLI.
  it('`bentoctl run` serves the built image, prints the URL and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const cli = startCli(['run', '-f', configFile, '--port', String(port)], {
      cwd: workspace,
      env: { DOCKER_HOST: engines.dockerHost },
      timeoutMs: 150_000,
    });
    const { child } = cli;
    const stdoutOf = () => cli.output().stdout;
    try {
      await waitFor(async () => stdoutOf().includes('Serving '), 120_000).catch(
        (error: unknown) => {
          const { stdout, stderr } = cli.output();
          throw new Error(`${String(error)}\nstdout: ${stdout}\nstderr: ${stderr}`);
        },
      );
      expect(stdoutOf()).toContain(`at http://127.0.0.1:${port}`);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      child.kill('SIGTERM');
      const closed = await cli.exited;
      expect(closed.status, closed.stderr).toBe(0);
      expect(closed.stdout).toMatch(/Stopped bentoctl\/iris-build:[0-9a-f]+ \(exit 0\)/);
      const containers = await engines.docker.listContainers({
        all: true,
        filters: { label: ['io.bentoctl.deployment=iris-build'] },
      });
      expect(containers).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  }, 180_000);
});

/** The same model run by onnxruntime-node in this process. */
async function predictInProcess(
  file: string,
  rows: number[][],
): Promise<{ probabilities: number[][]; label: number[] }> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(file);
  try {
    const input = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 4]);
    const outputs = await session.run({ [session.inputNames[0] ?? 'input']: input });
    const probabilities = Array.from(outputs.probabilities?.data as Float32Array);
    return {
      probabilities: rows.map((_, i) => probabilities.slice(i * 3, i * 3 + 3)),
      label: Array.from(outputs.label?.data as BigInt64Array, Number),
    };
  } finally {
    await session.release();
  }
}

/** Moves one hidden-unit threshold (-4.85 -> -4.8): still a valid model, different bytes. */
function changedWeight(model: Buffer): Buffer {
  const from = Buffer.alloc(4);
  from.writeFloatLE(-4.85);
  const to = Buffer.alloc(4);
  to.writeFloatLE(-4.8);
  const at = model.indexOf(from);
  if (at < 0) throw new Error('iris.onnx no longer contains the -4.85 threshold this test edits');
  const changed = Buffer.from(model);
  to.copy(changed, at);
  return changed;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(500);
  }
}
