/**
 * `bentoctl generate` as a library call: load and check the config, pick the image, synthesize
 * the stack and write `<out>/main.tf.json` (`<out>/<stack>/main.tf.json` per stack of a target
 * with several). Loaded on demand: it pulls in cdktf.
 */
import { join, resolve } from 'node:path';
import { deploymentPathsOf, type DeploymentPaths } from '../config/deployment-paths.js';
import { checkConfigBento } from '../bento/check-config-bento.js';
import { loadConfig, type LoadOptions } from '../config/load.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { TargetName } from './names.js';
import { errors } from '../errors/index.js';
import { bentoIdentity } from './bento-identity.js';
import { getTarget } from './registry.js';
import { resolveImage, type ResolvedImage } from './image-reference.js';
import { synthesizeStacks } from './synth-stack.js';
import type { StackLifecycle } from './synthesizer.js';
import { STACK_ASSETS_DIR, STACK_FILE } from '../stack-file.js';
import { rmSync } from 'node:fs';
import { writeFileAtomic } from '../write-atomic.js';

export interface GenerateOptions extends LoadOptions {
  readonly configFile: string;
  /** Relative to cwd. @default - the deployment folder's `stack/` (`.bentoctl/<name>/` beside the config) */
  readonly out?: string | undefined;
  /** `repository[:tag][@sha256:...]` @default - the build record of the deployment */
  readonly image?: string | undefined;
  /** What a relative `out` is resolved from. @default process.cwd() */
  readonly cwd?: string;
  /** The deployment folder (build record, stack). @default - beside the config */
  readonly paths?: DeploymentPaths;
  /** The config, when the caller has already loaded it. @default - loaded from configFile */
  readonly config?: ResolvedConfig;
  /** The terminated shape (`bentoctl terminate`) or a restore. @default RUNNING */
  readonly lifecycle?: StackLifecycle;
}

/** One stack written by generate, for a target with several (`TargetDefinition.stacks`). */
export interface GeneratedPart {
  readonly name: string;
  /** `<out>/<name>`: the folder terraform runs in for this stack. */
  readonly out: string;
  readonly file: string;
  readonly resources: number;
}

export interface GenerateResult {
  /** The stack folder (terraform -chdir=<out>); holds a folder per stack when there are several. */
  readonly out: string;
  /** The stack file; with several stacks, the last one's (the one that runs the bento). */
  readonly file: string;
  /** The stacks in apply order; empty for a target with one stack. */
  readonly stacks: readonly GeneratedPart[];
  readonly target: TargetName;
  readonly resources: number;
  readonly outputs: readonly string[];
  readonly image: string;
  readonly imageSource: ResolvedImage['source'];
  readonly bentoVersion: string;
  /** Things worth a look that do not stop generation. */
  readonly warnings: readonly string[];
}

export async function generateStack(options: GenerateOptions): Promise<GenerateResult> {
  const cwd = options.cwd ?? process.cwd();
  const config = options.config ?? loadConfig(options.configFile, options);
  // A corrupt model or one that does not fit its APIs fails here, before any image or plan.
  await checkConfigBento(config);
  const paths = options.paths ?? deploymentPathsOf(config, { cwd });
  const resolved = resolveImage({
    flag: options.image,
    buildRecordFile: paths.buildRecord,
    deployment: config.name,
  });
  // validate checked image.repository; an image from --image or the build record (a push to
  // --registry) is checked here, before anything is written.
  const pullProblem = getTarget(config.target).imagePullProblem?.(
    resolved.image.repository,
    config.spec,
  );
  if (pullProblem !== undefined) {
    throw errors.imageNotPullable(resolved.image.ref, config.target, pullProblem);
  }
  const bento = bentoIdentity(config.bentoReference, config.name);
  const warnings: string[] = [...(getTarget(config.target).warnings?.(config) ?? [])];
  if (resolved.bentoVersion !== undefined && resolved.bentoVersion !== bento.version) {
    warnings.push(
      `the recorded image was built from bento version ${resolved.bentoVersion}, but the bento is now ${bento.version}; run \`bentoctl build --push\` to deploy the current bento`,
    );
  }
  if (resolved.image.digest === undefined) {
    warnings.push(
      `${resolved.image.ref} is referenced by tag, not digest: a later push to that tag changes what runs`,
    );
  }

  const parts = await synthesizeStacks({
    config,
    image: resolved.image,
    bentoVersion: bento.version,
    bentoName: bento.name,
    ...(options.lifecycle === undefined ? {} : { lifecycle: options.lifecycle }),
  });

  const out = options.out !== undefined ? resolve(cwd, options.out) : paths.stack;
  const stacks: GeneratedPart[] = [];
  let file = join(out, STACK_FILE);
  for (const { name, stack } of parts) {
    const dir = name === undefined ? out : join(out, name);
    file = join(dir, STACK_FILE);
    // Written whole or not at all: terraform never sees a half-written stack.
    writeFileAtomic(file, stack.text);
    // What an earlier stack needed and this one does not is not left for terraform to find.
    rmSync(join(dir, STACK_ASSETS_DIR), { recursive: true, force: true });
    for (const [assetName, bytes] of Object.entries(stack.assets)) {
      writeFileAtomic(join(dir, STACK_ASSETS_DIR, assetName), bytes);
    }
    if (name !== undefined) stacks.push({ name, out: dir, file, resources: stack.resources });
  }
  const last = parts[parts.length - 1]?.stack;

  return {
    out,
    file,
    stacks,
    target: config.target,
    resources: parts.reduce((sum, part) => sum + part.stack.resources, 0),
    outputs: last?.outputs ?? [],
    image: resolved.image.ref,
    imageSource: resolved.source,
    bentoVersion: bento.version,
    warnings,
  };
}
