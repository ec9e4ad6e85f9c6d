/**
 * Loads cdktf and its provider classes with `require` rather than `import`. Importing CommonJS
 * from ESM makes Node scan each file's source for its export names, and the generated provider
 * files are large: for the 30 AWS modules of aws-ecs that scan alone took 300 ms of a 1 s
 * `generate` (measured: import 550 ms, require 200 ms). Types still come from the packages.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);

/** `require(id)` typed as the module: `requireCjs<typeof import('cdktf')>('cdktf')`. */
export function requireCjs<Module>(id: string): Module {
  if (id === 'cdktf') deferArchiver();
  return require(id) as Module;
}

let archiverDeferred = false;

/**
 * cdktf requires `archiver` (and through it glob and readable-stream) when it starts, for the
 * one function that zips assets, and that function runs archiver in a child process of its own.
 * Loading it cost 80-90 ms of every `generate` (about a fifth) and bentoctl never zips. So the
 * module cache gets a stand-in for archiver, resolved exactly as cdktf resolves it, that loads
 * the real module on its first call: behaviour is unchanged if a later cdktf ever calls it.
 */
function deferArchiver(): void {
  if (archiverDeferred) return;
  archiverDeferred = true;
  const cdktfFs = require.resolve('cdktf/lib/private/fs.js');
  const fromCdktf = createRequire(cdktfFs);
  let file: string;
  try {
    file = fromCdktf.resolve('archiver');
  } catch {
    return; // a cdktf without archiver: nothing to defer
  }
  if (require.cache[file] !== undefined) return;
  let real: ((...args: unknown[]) => unknown) | undefined;
  const standIn = (...args: unknown[]): unknown => {
    if (real === undefined) {
      delete require.cache[file];
      real = fromCdktf(file) as (...args: unknown[]) => unknown;
    }
    return real(...args);
  };
  const Module = require('node:module') as {
    new (id: string): NodeJS.Module & { filename: string; paths: string[] };
    _nodeModulePaths(from: string): string[];
  };
  const entry = new Module(file);
  entry.filename = file;
  entry.paths = Module._nodeModulePaths(dirname(file));
  entry.exports = standIn;
  entry.loaded = true;
  require.cache[file] = entry;
}
