/**
 * Loads cdktf and its provider classes with `require` rather than `import`. Importing CommonJS
 * from ESM makes Node scan each file's source for its export names, and the generated provider
 * files are large: for the 30 AWS modules of aws-ecs that scan alone took 300 ms of a 1 s
 * `generate` (measured: import 550 ms, require 200 ms). Types still come from the packages.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** `require(id)` typed as the module: `requireCjs<typeof import('cdktf')>('cdktf')`. */
export function requireCjs<Module>(id: string): Module {
  return require(id) as Module;
}
