import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runtimeBuildOptions } from '../../scripts/lib/runtime-build-options.js';
import {
  bundleRuntime,
  ORT_NATIVE_DIR,
  RUNTIME_BUNDLE_DIR,
} from '../../src/builders/runtime-bundle.js';
import { bentoctlFailure } from '../helpers/bentoctl-failure.js';
import { repoRoot } from '../helpers/run-cli.js';
import { makeTestBento } from '../runtime/helpers/models.js';

describe('bundleRuntime', () => {
  it('GIVEN a CPU image WHEN bundling THEN two JS entry points plus only what linux-x64 onnxruntime loads', async () => {
    const bundle = await bundleRuntime({ device: 'cpu' });
    const paths = bundle.files.map((file) => file.path);
    expect(paths).toContain('main.js');
    expect(paths).toContain('inference-worker.js');
    expect(paths).toContain(
      `node_modules/onnxruntime-node/${ORT_NATIVE_DIR}/onnxruntime_binding.node`,
    );
    expect(paths).toContain(`node_modules/onnxruntime-node/${ORT_NATIVE_DIR}/libonnxruntime.so.1`);
    expect(paths).toContain('node_modules/onnxruntime-node/dist/index.js');
    expect(paths).toContain('node_modules/onnxruntime-common/dist/cjs/index.js');
    // Nothing of other platforms, no ESM copy of onnxruntime-common, no source maps or typings.
    expect(
      paths.filter((path) => path.includes('/bin/') && !path.includes(`/${ORT_NATIVE_DIR}/`)),
    ).toEqual([]);
    expect(paths.filter((path) => /\/dist\/esm\/|\.map$|\.d\.ts$/.test(path))).toEqual([]);
    expect(paths.filter((path) => /providers_(cuda|tensorrt)/.test(path))).toEqual([]);
    expect(bundle.bytes).toBeLessThan(60 * 1024 * 1024);
    expect(bundle.warnings).toEqual([]);
  }, 60_000);

  it('GIVEN the runtime sources WHEN bundled again with the build options THEN byte-identical to what npm run build wrote (reproducible layers)', async () => {
    const { outputFiles } = await build({
      ...runtimeBuildOptions(join(repoRoot, 'dist', 'runtime'), '.js'),
      outdir: join(repoRoot, 'dist', 'runtime-bundle'),
      write: false,
    });
    const bundle = await bundleRuntime({ device: 'cpu' });
    const shipped = new Map(bundle.files.map((file) => [file.path, file.content]));
    expect(outputFiles.map((file) => basename(file.path)).sort()).toEqual([
      'inference-worker.js',
      'main.js',
    ]);
    for (const file of outputFiles)
      expect(shipped.get(basename(file.path))).toEqual(Buffer.from(file.contents));
  }, 120_000);

  it('GIVEN the bundle alone in a folder WHEN its main.js runs THEN it predicts and serves the Swagger UI page from its own files', async () => {
    const bundle = await bundleRuntime({ device: 'cpu' });
    // Outside the repository, so nothing resolves from bentoctl's node_modules: as in the image.
    const dir = mkdtempSync(join(tmpdir(), 'bentoctl-bundle-'));
    const child = (() => {
      for (const file of bundle.files) {
        const target = join(dir, file.path);
        mkdirSync(dirname(target), { recursive: true });
        if (Buffer.isBuffer(file.content)) writeFileSync(target, file.content);
        else copyFileSync(file.content.file, target);
      }
      return spawn(process.execPath, [join(dir, 'main.js')], {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? '',
          PORT: '0',
          BENTOCTL_HOST: '127.0.0.1',
          BENTOCTL_BENTO_DIR: makeTestBento({ slowLayers: 1 }),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    })();
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let buffered = '';
        let listening: string | undefined;
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          for (const line of buffered.split('\n').slice(0, -1)) {
            const entry = JSON.parse(line) as { message: string; url?: string };
            if (entry.message === 'listening') listening = entry.url;
            if (entry.message === 'ready' && listening !== undefined) resolve(listening);
          }
          buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
        });
        child.on('exit', (code) => reject(new Error(`the bundled runtime exited with ${code}`)));
      });
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<script src="/docs/swagger-ui-bundle.js">');
      for (const [path, type] of [
        ['/docs/swagger-ui-bundle.js', 'text/javascript'],
        ['/docs/swagger-ui.css', 'text/css'],
      ] as const) {
        const response = await fetch(`${url}${path}`);
        expect(response.status, path).toBe(200);
        expect(response.headers.get('content-type')).toContain(type);
        expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
      }
      const prediction = await fetch(`${url}/classify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([[5.1, 3.5, 1.4, 0.2]]),
      });
      expect(((await prediction.json()) as { label: number[] }).label).toEqual([0]);
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('GIVEN a source newer than the bundled runtime WHEN bundling from src THEN it says to rebuild', async () => {
    const main = join(repoRoot, RUNTIME_BUNDLE_DIR, 'main.js');
    const { atime, mtime } = statSync(main);
    utimesSync(main, atime, new Date(0));
    try {
      const failure = await bentoctlFailure(bundleRuntime({ device: 'cpu' }));
      expect(failure.code).toBe('INTERNAL');
      expect(failure.message).toMatch(
        /src\/.+ is newer than the bundled runtime in dist\/runtime-bundle: rebuild with npm run build/,
      );
    } finally {
      utimesSync(main, atime, mtime);
    }
  });
});
