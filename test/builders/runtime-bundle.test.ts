import { build } from 'esbuild';
import { statSync, utimesSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runtimeBuildOptions } from '../../scripts/lib/runtime-build-options.js';
import {
  bundleRuntime,
  ORT_NATIVE_DIR,
  RUNTIME_BUNDLE_DIR,
} from '../../src/builders/runtime-bundle.js';
import { bentoctlFailure } from '../helpers/bentoctl-failure.js';
import { repoRoot } from '../helpers/run-cli.js';

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
