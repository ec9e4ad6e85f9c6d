// Build step after tsc: rewrites each command in dist/commands as an ESM bundle of bentoctl's
// own modules plus a few pure-JavaScript packages, with the code several commands share in
// dist/chunks/ (loaded only by the commands that import it, so cdktf stays out of `validate`).
//
// Why: Node resolves, reads and compiles a module graph file by file. A command used to load
// ~60 of our files and ~150 of zod's before doing anything, and `generate` another ~150 of
// cdktf and its providers. Bundling cut `generate` by 150-200 ms and `validate` by about 100 ms
// (docs/benchmarks.md: bench:cli, bench:generate).
//
// What is bundled: our code, zod, yaml, fastest-levenshtein, and cdktf with constructs and the
// provider classes, which src/targets imports by deep path behind the lazy `import()` of each
// target's stack. cdktf's `archiver` (with glob and readable-stream: 80-90 ms at start-up, for
// a zip helper bentoctl never calls) becomes a stand-in that loads the real one on first call.
// Unbundled runs (vitest) load the real archiver; only the shipped bundles are tuned.
//
// What stays out of the bundles:
// - every other package: native or file-relative ones (onnxruntime-node, dockerode, esbuild,
//   oclif and its plugins) must load from node_modules;
// - src/runtime: the runtime is its own program (bundled separately into the image); `serve`
//   imports the tsc output in dist/runtime, so the import keeps its relative path, which is
//   only valid in a command entry file (checked below).
import { build } from 'esbuild';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const commandsDir = join(dist, 'commands');

/** Packages worth inlining: pure JavaScript, many small modules. Their own dependencies come too. */
const BUNDLED_PACKAGES = new Set([
  'zod',
  'yaml',
  'fastest-levenshtein',
  'cdktf',
  'constructs',
  '@cdktf/provider-aws',
  '@cdktf/provider-azurerm',
  '@cdktf/provider-google',
  '@cdktf/provider-kubernetes',
]);

const LAZY_ARCHIVER = `
const { createRequire } = require('node:module');
let real;
module.exports = function archiver(...args) {
  real ??= createRequire(require.resolve('cdktf/lib/private/fs.js'))('archiver');
  return real(...args);
};
`;

function commandFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return commandFiles(path);
    return entry.name.endsWith('.js') ? [path] : [];
  });
}

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const boundaries = {
  name: 'bentoctl-boundaries',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      if (args.path === 'archiver') return { path: 'archiver', namespace: 'lazy-archiver' };
      // A bundled package's own dependencies are bundled with it, at the versions it resolves.
      if (!args.importer.startsWith(dist + sep)) return undefined;
      return BUNDLED_PACKAGES.has(packageName(args.path))
        ? undefined
        : { path: args.path, external: true };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-archiver' }, () => ({
      contents: LAZY_ARCHIVER,
      loader: 'js',
      resolveDir: root,
    }));
    // zod re-exports its ~50 message locales as \`z.locales\`, which keeps all of them in the
    // bundle (about 360 KB, 8 ms to load); bentoctl words its own messages and zod's default
    // English comes from locales/en.js, which stays.
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: "export { default as en } from './en.js';",
      loader: 'js',
    }));
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = join(args.resolveDir, args.path);
      if (!target.startsWith(join(dist, 'runtime') + sep)) return undefined;
      if (dirname(args.importer) !== commandsDir) {
        return {
          errors: [
            {
              text: `${relative(root, args.importer)} imports the runtime (${args.path}); only a command in dist/commands/ may, so that the relative path stays valid`,
            },
          ],
        };
      }
      return { path: args.path, external: true };
    });
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints: commandFiles(commandsDir),
  outbase: dist,
  outdir: dist,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The tsc source maps are followed, so stack traces still point into src/*.ts.
  sourcemap: 'linked',
  // yaml's Node build is CommonJS and requires node builtins; ESM output has no require.
  banner: {
    js: "import { createRequire as __bentoctlCreateRequire } from 'node:module'; const require = __bentoctlCreateRequire(import.meta.url);",
  },
  plugins: [boundaries],
  write: false,
  logLevel: 'warning',
});

for (const file of result.outputFiles) {
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, file.contents);
}
const chunks = result.outputFiles.filter((file) => file.path.includes(`${sep}chunks${sep}`));
console.log(
  `bundled ${commandFiles(commandsDir).length} commands (${chunks.filter((f) => f.path.endsWith('.js')).length} shared chunks)`,
);
