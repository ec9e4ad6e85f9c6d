import { describe, expect, it } from 'vitest';
import { bundleRuntime, ORT_NATIVE_DIR } from '../../src/builders/runtime-bundle.js';

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

  it('GIVEN the same sources WHEN bundled twice THEN byte-identical files (reproducible layers)', async () => {
    const [a, b] = await Promise.all([
      bundleRuntime({ device: 'cpu' }),
      bundleRuntime({ device: 'cpu' }),
    ]);
    const js = (bundle: typeof a) =>
      bundle.files.filter((file) => Buffer.isBuffer(file.content)).map((file) => file.content);
    expect(js(a)).toEqual(js(b));
  }, 60_000);
});
