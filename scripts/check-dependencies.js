// Build step, last: package.json `dependencies` must be exactly the packages the installed CLI
// loads, measured on the built files themselves, so `npm install --global bentoctl` (which
// leaves devDependencies out) gets everything it runs and nothing the bundles already contain.
//
// What the installed CLI loads from node_modules:
// - bin/run.js and the oclif plugins named in package.json;
// - whatever dist/commands and dist/chunks (the command bundles) import: the packages
//   scripts/bundle-commands.js leaves out of the bundles;
// - whatever the tsc output under dist/runtime imports: `serve` runs it unbundled;
// - whatever the bundled runtime (dist/runtime-bundle) imports: copied into each image with it;
// - packages whose files are read at run time, whose folder the code finds with
//   `require.resolve('<pkg>/package.json')` (swagger-ui-dist: the runtime's page serves them).
// Everything else (esbuild, cdktf and its providers, zod, ...) is a devDependency.
import { build } from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function jsFiles(dir) {
  return readdirSync(join(root, dir), { recursive: true })
    .filter((name) => name.endsWith('.js'))
    .map((name) => join(root, dir, name));
}

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const builtins = new Set(builtinModules);

/** The packages `entryPoints` import, following only our own relative imports. */
async function importedPackages(entryPoints) {
  const result = await build({
    entryPoints,
    absWorkingDir: root,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    outdir: join(root, 'dist', '.check-dependencies'),
    logLevel: 'error',
  });
  const packages = new Set();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imported of output.imports) {
      if (!imported.external) continue;
      const path = imported.path.replace(/^node:/, '');
      if (builtins.has(path) || builtins.has(packageName(path))) continue;
      packages.add(packageName(imported.path));
    }
  }
  return packages;
}

const builtFiles = [
  join(root, 'bin', 'run.js'),
  ...jsFiles('dist/commands'),
  ...jsFiles('dist/chunks'),
  ...jsFiles('dist/runtime'),
  ...jsFiles('dist/runtime-bundle'),
];
/** Packages located with require.resolve('<pkg>/package.json') (files read, not imported). */
function resolvedPackages(files) {
  const found = new Set();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(
      /\brequire\w*\.resolve\(\s*['"]([^'"./][^'"]*)\/package\.json['"]/g,
    )) {
      const name = packageName(match[1]);
      if (!builtins.has(name) && !name.startsWith('node:')) found.add(name);
    }
  }
  return found;
}
const loaded = new Set([
  ...(await importedPackages(builtFiles)),
  ...resolvedPackages(jsFiles('dist')),
  ...manifest.oclif.plugins,
]);
const declared = new Set(Object.keys(manifest.dependencies ?? {}));
const missing = [...loaded].filter((name) => !declared.has(name)).sort();
const unused = [...declared].filter((name) => !loaded.has(name)).sort();
if (missing.length > 0 || unused.length > 0) {
  const lines = [
    'package.json dependencies differ from what the built CLI loads:',
    ...missing.map((name) => `  missing: ${name} (imported by dist/; move it to dependencies)`),
    ...unused.map(
      (name) => `  not loaded: ${name} (bundled or unused; move it to devDependencies)`,
    ),
  ];
  console.error(lines.join('\n'));
  process.exit(1);
}
console.log(`dependencies match what the built CLI loads (${loaded.size} packages)`);
