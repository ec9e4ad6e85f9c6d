// Build step after tsc: bundles the runtime (the program inside every image) from dist/runtime
// into dist/runtime-bundle/{main,inference-worker}.js, so an installed bentoctl copies two
// files into the image instead of running esbuild, a build tool the package does not depend on.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runtimeBuildOptions } from './lib/runtime-build-options.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  ...runtimeBuildOptions(join(root, 'dist', 'runtime'), '.js'),
  outdir: join(root, 'dist', 'runtime-bundle'),
});
console.log('bundled the runtime into dist/runtime-bundle');
