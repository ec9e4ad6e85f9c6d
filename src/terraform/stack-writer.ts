/**
 * The step that produces a deployment's stack folder. `generate` owns it; the terraform workflow
 * takes it as a parameter so tests (and the benchmark) can hand it a stack of Terraform's
 * built-in resources, which plan and apply without downloading providers.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DeploymentPaths } from '../config/deployment-paths.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { errors } from '../errors/index.js';
import { STACK_FILE } from '../stack-file.js';

/** What writing the stack had to say. */
export interface StackWritten {
  /** Worth a look, not fatal (e.g. the image is referenced by tag, not digest). */
  readonly warnings: readonly string[];
  /** The image the stack runs, when the writer knows it (a release records it). */
  readonly image?: { readonly repository: string; readonly digest?: string };
}

/** Writes `<paths.stack>/main.tf.json` for `config`. */
export type StackWriter = (config: ResolvedConfig, paths: DeploymentPaths) => Promise<StackWritten>;

/** Throws STACK_NOT_GENERATED unless the stack folder has a main.tf.json. */
export function assertStackExists(name: string, paths: DeploymentPaths): void {
  if (!existsSync(join(paths.stack, STACK_FILE))) throw errors.stackNotGenerated(name, paths.stack);
}
