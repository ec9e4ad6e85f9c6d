// The esbuild options of the runtime (src/runtime, the program inside every image), in one
// place: `npm run build` bundles dist/runtime with them (scripts/bundle-runtime.js), and the
// runtime tests (test/runtime/helpers/bundle.ts) and the runtime benchmarks (bench-kit.js) bundle
// src/runtime with them.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The two entry points src/runtime/main.ts names: the server and its inference thread. */
export const RUNTIME_ENTRY_POINTS = ['main', 'inference-worker'];

/**
 * esbuild options for the runtime: `sourceDir` holds the entry points (dist/runtime after tsc,
 * or src/runtime) and `extension` is theirs ('.js' or '.ts'). The caller adds `outdir`.
 */
export function runtimeBuildOptions(sourceDir, extension) {
  return {
    entryPoints: RUNTIME_ENTRY_POINTS.map((name) => ({
      in: join(sourceDir, `${name}${extension}`),
      out: name,
    })),
    // Relative paths in the output (legal comments) stay the same whichever folder builds it.
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    // The oldest Node the runtime is still run on in CI (`serve` uses the host's node).
    target: 'node20',
    // Native binding, loaded from node_modules/onnxruntime-node next to the bundle.
    external: ['onnxruntime-node'],
    // Bundled CommonJS dependencies (prom-client, yaml) call require() for node builtins,
    // which ESM output lacks; this gives the bundle one.
    banner: {
      js: "import { createRequire as __bentoctlCreateRequire } from 'node:module'; const require = __bentoctlCreateRequire(import.meta.url);",
    },
    // Whitespace and syntax only: identifiers stay readable in stack traces from the image.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'eof',
    logLevel: 'silent',
  };
}
