/**
 * Test fixtures for synthesis: a temporary bento folder and configs that point at it, loaded
 * through the real config loader (schema, defaults and preflight).
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigText } from '../../src/config/load.js';
import type { ResolvedConfig } from '../../src/config/resolved-config.js';
import { imageReference } from '../../src/targets/image-reference.js';
import { synthesizeStacks, type SynthesizedStack } from '../../src/targets/synth-stack.js';

export const BENTO_YAML = `service: iris_classifier
models: [{name: iris, path: models/iris.onnx}]
apis: [{name: classify, model: iris}]
`;

export const DIGEST = `sha256:${'ab'.repeat(32)}`;
export const ECR_REPOSITORY = '123456789012.dkr.ecr.us-east-1.amazonaws.com/iris-prod';
export const ECR_IMAGE = imageReference(ECR_REPOSITORY, DIGEST, '0123456789abcdef');

/**
 * A folder holding `bento/` (bento.yaml + the example's ONNX model, which `generate` and
 * `validate` read); configs go next to it.
 */
export function makeWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'bentoctl-targets-'));
  mkdirSync(join(root, 'bento', 'models'), { recursive: true });
  writeFileSync(join(root, 'bento', 'bento.yaml'), BENTO_YAML);
  copyFileSync(
    join(import.meta.dirname, '..', '..', 'examples', 'iris', 'models', 'iris.onnx'),
    join(root, 'bento', 'models', 'iris.onnx'),
  );
  return root;
}

/** A config YAML for `target` with `extra` appended (already indented YAML). */
export function configText(target: string, spec: string, extra = ''): string {
  return `api_version: v1
name: iris-prod
bento: ./bento
target: ${target}
spec:
${spec
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => `  ${line}`)
  .join('\n')}
${extra}`;
}

export function loadTestConfig(workspace: string, text: string): ResolvedConfig {
  return loadConfigText(join(workspace, 'deployment_config.yaml'), text, {
    env: {},
    home: workspace,
  });
}

/**
 * The deployment's stack; for a target with several, them all as one: the texts one after the
 * other, the resource and data blocks of each (no two stacks of a target share a logical ID).
 */
export async function synth(workspace: string, text: string): Promise<SynthesizedStack> {
  const parts = await synthesizeStacks({
    config: loadTestConfig(workspace, text),
    image: ECR_IMAGE,
    bentoVersion: '0123456789abcdef',
    bentoName: 'iris_classifier',
  });
  if (parts.length === 1 && parts[0] !== undefined) return parts[0].stack;
  const blocks = (kind: string) =>
    Object.fromEntries(
      parts.flatMap(({ name, stack }) =>
        Object.entries((stack.json[kind] ?? {}) as Record<string, Record<string, unknown>>).map(
          ([type, byName]) => [`${name}:${type}`, byName],
        ),
      ),
    );
  return {
    json: { resource: blocks('resource'), data: blocks('data') },
    text: parts.map(({ stack }) => stack.text).join(''),
    resources: parts.reduce((sum, { stack }) => sum + stack.resources, 0),
    outputs: parts.flatMap(({ stack }) => stack.outputs),
  };
}

type Blocks = Record<string, Record<string, Record<string, unknown>>>;

/** `resource.<type>.<name>` of a stack, or undefined. */
export function resource(
  stack: SynthesizedStack,
  type: string,
  name: string,
): Record<string, unknown> | undefined {
  return ((stack.json.resource ?? {}) as Blocks)[type]?.[name];
}

/** Every resource of one type, by name. */
export function resourcesOf(
  stack: SynthesizedStack,
  type: string,
): Record<string, Record<string, unknown>> {
  return ((stack.json.resource ?? {}) as Blocks)[type] ?? {};
}

export function dataOf(
  stack: SynthesizedStack,
  type: string,
  name: string,
): Record<string, unknown> | undefined {
  return ((stack.json.data ?? {}) as Blocks)[type]?.[name];
}
