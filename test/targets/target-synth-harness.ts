/**
 * Synthesizes one target's stack the way `generate` does (a stack with the target's resources,
 * labels and runtime environment), without the generate command, so target tests stay small.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Testing, TerraformStack } from 'cdktf';
import { loadConfigText } from '../../src/config/load.js';
import type { ResolvedConfig } from '../../src/config/resolved-config.js';
import { runtimeEnvironment } from '../../src/config/runtime-env.js';
import { bentoLabels, deploymentLabels } from '../../src/targets/stack-labels.js';
import {
  RUNNING,
  type ImageReference,
  type StackLifecycle,
  type Synthesizer,
} from '../../src/targets/synthesizer.js';
import { makeBentoWorkspace } from '../helpers/bento-fixture.js';

export const TEST_BENTO_VERSION = '3f2a9c0d7e6b5a41';

export const TEST_IMAGE: ImageReference = {
  repository: 'registry.example.com/iris/iris-prod',
  digest: `sha256:${'ab'.repeat(32)}`,
  ref: `registry.example.com/iris/iris-prod@sha256:${'ab'.repeat(32)}`,
};

/** A Terraform JSON document: resource/data/output/provider blocks by type and name. */
export interface TerraformDocument {
  readonly provider?: Record<string, unknown[]>;
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, { value: unknown; description?: string }>;
  readonly terraform?: Record<string, unknown>;
}

/**
 * Loads a config text with a real bento next to it, through the same loader (schemas and
 * preflight) the CLI uses. Throws the loader's BentoctlError for invalid configs.
 */
export function loadTestConfig(text: string): ResolvedConfig {
  const root = makeBentoWorkspace();
  try {
    return loadConfigText(join(root, 'deployment_config.yaml'), text, { env: {}, home: root });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Runs a synthesizer on a fresh stack and returns the stack's Terraform JSON. */
export function synthesizeTarget<Spec>(
  synthesize: Synthesizer<Spec>,
  config: ResolvedConfig,
  image: ImageReference = TEST_IMAGE,
  lifecycle: StackLifecycle = RUNNING,
): TerraformDocument {
  const app = Testing.app();
  const stack = new TerraformStack(app, config.name);
  synthesize({
    stack,
    config,
    spec: config.spec as Spec,
    image,
    bentoVersion: TEST_BENTO_VERSION,
    labels: deploymentLabels(config.name),
    bentoLabels: bentoLabels({ bentoName: 'iris_classifier', bentoVersion: TEST_BENTO_VERSION }),
    environment: runtimeEnvironment(config),
    lifecycle,
  });
  return withoutMetadata(JSON.parse(Testing.synth(stack))) as TerraformDocument;
}

/** Resources of one type, by logical name. */
export function resourcesOf(
  json: TerraformDocument,
  type: string,
): Record<string, Record<string, unknown>> {
  return json.resource?.[type] ?? {};
}

/** The one resource of a type, failing the test when there are none or several. */
export function onlyResource(json: TerraformDocument, type: string): Record<string, unknown> {
  const all = Object.values(resourcesOf(json, type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0] as Record<string, unknown>;
}

/** cdktf's `//` metadata carries construct paths, not deployment content. */
function withoutMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== '//')
      .map(([key, child]) => [key, withoutMetadata(child)]),
  );
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
