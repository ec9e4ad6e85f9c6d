/**
 * The one way target tests synthesize a stack: through `synthesizeStackWith` (a target's several
 * stacks: `synthesizeStacksWith`), the function `generate` runs (backend, the target's resources,
 * labels, runtime environment and Terraform version), with the target's synthesizer imported by
 * the test and a config loaded by the real loader (schemas and preflight) next to a real bento.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import type { ResolvedConfig } from '../../src/config/resolved-config.js';
import { imageReference } from '../../src/targets/image-reference.js';
import { stableJson } from '../../src/targets/stable-json.js';
import {
  synthesizeStacksWith,
  synthesizeStackWith,
  type StackInput,
} from '../../src/targets/synth-stack.js';
import {
  RUNNING,
  type ImageReference,
  type StackLifecycle,
  type Synthesizer,
} from '../../src/targets/synthesizer.js';
import { makeBentoWorkspace } from '../helpers/bento-fixture.js';

export const TEST_BENTO_VERSION = '0123456789abcdef';
export const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** An image in a registry no target treats as its own. */
export const TEST_IMAGE: ImageReference = imageReference(
  'registry.example.com/iris/iris-prod',
  DIGEST,
);

export const ECR_REPOSITORY = '123456789012.dkr.ecr.us-east-1.amazonaws.com/iris-prod';
/** The image `build --push` records for an AWS deployment named iris-prod in us-east-1. */
export const ECR_IMAGE = imageReference(ECR_REPOSITORY, DIGEST, TEST_BENTO_VERSION);

/** A Terraform JSON document: resource/data/output/provider blocks by type and name. */
export interface TerraformDocument {
  readonly provider?: Record<string, unknown[]>;
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, { value: unknown; description?: string }>;
  readonly locals?: Record<string, unknown>;
  readonly import?: { to: string; id: string }[];
  readonly terraform?: Record<string, unknown>;
}

/**
 * A config YAML for `target` whose bento is the workspace's `./iris`: `spec` (one field a line)
 * is indented under `spec:`, `extra` (top-level YAML) appended as it is.
 */
export function configText(target: string, spec: string, extra = ''): string {
  return `api_version: v1
name: iris-prod
bento: ./iris
target: ${target}
spec:
${spec
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => `  ${line}`)
  .join('\n')}
${extra}`;
}

/**
 * Loads a config text through the loader the CLI uses, as if the file sat in `workspace` (a
 * `makeBentoWorkspace()` folder). Throws the loader's BentoctlError for invalid configs.
 * @default workspace - a fresh one, removed once the config is loaded
 */
export function loadTestConfig(text: string, workspace?: string): ResolvedConfig {
  const root = workspace ?? makeBentoWorkspace();
  try {
    return loadConfigText(join(root, 'deployment_config.yaml'), text, { env: {}, home: root });
  } finally {
    if (workspace === undefined) rmSync(root, { recursive: true, force: true });
  }
}

/** What `generate` hands synthesis for `config`, with the test bento's identity. */
export function stackInput(config: ResolvedConfig, image: ImageReference = TEST_IMAGE): StackInput {
  return { config, image, bentoVersion: TEST_BENTO_VERSION, bentoName: 'iris_classifier' };
}

/** Runs a target's synthesizer on the deployment's stack and returns its Terraform JSON. */
export function synthesizeTarget<Spec>(
  synthesize: Synthesizer<Spec>,
  config: ResolvedConfig,
  image: ImageReference = TEST_IMAGE,
  lifecycle: StackLifecycle = RUNNING,
): TerraformDocument {
  return synthesizeStackWith({ ...stackInput(config, image), lifecycle }, synthesize)
    .json as TerraformDocument;
}

/**
 * Runs a target's synthesizer on each of the deployment's stacks (`TargetDefinition.stacks`)
 * through `synthesizeStacksWith`, as `generate` writes them (each stack's backend, the remote
 * state reads between them, each one's Terraform version), and returns their JSON by name.
 */
export function synthesizeTargetStacks<Spec>(
  synthesize: Synthesizer<Spec>,
  config: ResolvedConfig,
  image: ImageReference = TEST_IMAGE,
  lifecycle: StackLifecycle = RUNNING,
): Record<string, TerraformDocument> {
  return Object.fromEntries(
    synthesizeStacksWith({ ...stackInput(config, image), lifecycle }, synthesize).map(
      ({ name, stack }) => {
        if (name === undefined)
          throw new Error(`${config.target} has one stack: use synthesizeTarget`);
        return [name, stack.json as TerraformDocument];
      },
    ),
  );
}

/**
 * Compares a stack's Terraform JSON with its reviewed file snapshot,
 * `test/targets/__snapshots__/<name>.tf.json`, written as `generate` writes stacks (sorted keys),
 * so a change to a target shows in review as a diff of the file it would generate.
 */
export async function expectStackSnapshot(name: string, json: TerraformDocument): Promise<void> {
  await expect(stableJson(json)).toMatchFileSnapshot(`__snapshots__/${name}.tf.json`);
}

/** Several stacks' blocks in one document (a later stack's block of the same name wins). */
export function mergeStacks(documents: readonly TerraformDocument[]): TerraformDocument {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const document of documents) {
    for (const [kind, blocks] of Object.entries(document)) {
      if (Array.isArray(blocks)) {
        merged[kind] = [...((merged[kind] as unknown[] | undefined) ?? []), ...blocks] as never;
        continue;
      }
      if (kind === 'terraform' || kind === 'provider' || kind === 'output') {
        merged[kind] = { ...merged[kind], ...(blocks as Record<string, unknown>) };
        continue;
      }
      const byType = (merged[kind] ??= {}) as Record<string, Record<string, unknown>>;
      for (const [type, byName] of Object.entries(
        blocks as Record<string, Record<string, unknown>>,
      )) {
        byType[type] = { ...byType[type], ...byName };
      }
    }
  }
  return merged as TerraformDocument;
}

/** Resources of one type, by logical name. */
export function resourcesOf(
  json: TerraformDocument,
  type: string,
): Record<string, Record<string, unknown>> {
  return json.resource?.[type] ?? {};
}

/** `resource.<type>.<name>`, or undefined. */
export function resource(
  json: TerraformDocument,
  type: string,
  name: string,
): Record<string, unknown> | undefined {
  return resourcesOf(json, type)[name];
}

/** `data.<type>.<name>`, or undefined. */
export function dataOf(
  json: TerraformDocument,
  type: string,
  name: string,
): Record<string, unknown> | undefined {
  return json.data?.[type]?.[name];
}

/** The one resource of a type, failing the test when there are none or several. */
export function onlyResource(json: TerraformDocument, type: string): Record<string, unknown> {
  const all = Object.values(resourcesOf(json, type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0] as Record<string, unknown>;
}

/** Every leaf of a JSON value as `path = value`, for counting what a change touched. */
export function jsonLeaves(value: unknown, path = ''): Map<string, string> {
  const leaves = new Map<string, string>();
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      for (const [leaf, text] of jsonLeaves(child, `${path}/${key}`)) leaves.set(leaf, text);
    }
  } else {
    leaves.set(path, JSON.stringify(value));
  }
  return leaves;
}

/** Paths whose leaf was added, removed or changed between two documents. */
export function changedLeaves(before: unknown, after: unknown): string[] {
  const a = jsonLeaves(before);
  const b = jsonLeaves(after);
  const paths = new Set([...a.keys(), ...b.keys()]);
  return [...paths].filter((path) => a.get(path) !== b.get(path)).sort();
}

/** Runs `load` and returns the BentoctlError it throws, or fails when it does not throw. */
export function loadError(load: () => unknown): { code: string; fields: string[]; text: string } {
  try {
    load();
  } catch (error) {
    const failure = error as { code?: string; diagnostics?: { field: string; message: string }[] };
    const diagnostics = failure.diagnostics ?? [];
    return {
      code: failure.code ?? 'not a BentoctlError',
      fields: diagnostics.map((diagnostic) => diagnostic.field),
      text: [String(error), ...diagnostics.map((d) => `${d.field}: ${d.message}`)].join('\n'),
    };
  }
  throw new Error('expected the config to be rejected');
}
