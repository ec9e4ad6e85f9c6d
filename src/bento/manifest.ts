/**
 * Reads a bento folder into a manifest: the validated `bento.yaml` plus absolute model paths
 * and the content version. The runtime uses this directly (it fails fast with field paths);
 * `bentoctl bento build` wraps the same checks with file:line diagnostics (validate.ts).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { bentoContentHash } from './content-hash.js';
import { BENTO_FILE } from './bento-file.js';
import {
  RESERVED_API_NAMES,
  bentoSchema,
  type ApiSpec,
  type BentoSpec,
  type ModelSpec,
} from './schema.js';

export interface BentoModel extends ModelSpec {
  /** Absolute path of the .onnx file. */
  readonly file: string;
}

export interface BentoManifest {
  readonly dir: string;
  readonly service: string;
  readonly version: string;
  readonly description: string | undefined;
  readonly models: readonly BentoModel[];
  readonly apis: readonly ApiSpec[];
}

/** One problem with a bento: the field path in bento.yaml and what is wrong. */
export interface BentoProblem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

export class BentoLoadError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly BentoProblem[],
  ) {
    super(
      `${file}: ${problems.map((problem) => `${formatField(problem.path) || '(file)'}: ${problem.message}`).join('; ')}`,
    );
    this.name = 'BentoLoadError';
  }
}

/** Reads and checks `<dir>/bento.yaml`; throws BentoLoadError listing every problem. */
export function loadBentoManifest(dir: string): BentoManifest {
  const root = resolve(dir);
  const file = join(root, BENTO_FILE);
  if (!existsSync(file)) throw new BentoLoadError(file, [{ path: [], message: 'no such file' }]);
  let data: unknown;
  try {
    data = parse(readFileSync(file, 'utf8'), { uniqueKeys: true });
  } catch (error) {
    throw new BentoLoadError(file, [{ path: [], message: `not valid YAML: ${String(error)}` }]);
  }
  const parsed = bentoSchema.safeParse(data);
  if (!parsed.success) {
    throw new BentoLoadError(
      file,
      parsed.error.issues.map((issue) => ({ path: issue.path, message: issue.message })),
    );
  }
  const problems = checkBento(parsed.data, root);
  if (problems.length > 0) throw new BentoLoadError(file, problems);
  return manifestOf(parsed.data, root);
}

export function manifestOf(spec: BentoSpec, root: string): BentoManifest {
  return {
    dir: root,
    service: spec.service,
    version: bentoContentHash(root),
    description: spec.description,
    models: spec.models.map((model) => ({ ...model, file: modelFile(root, model.path) })),
    apis: spec.apis,
  };
}

/** Checks what the schema cannot: names unique, apis naming models, model files present. */
export function checkBento(spec: BentoSpec, root: string): BentoProblem[] {
  const problems: BentoProblem[] = [];
  const modelNames = spec.models.map((model) => model.name);
  duplicates(modelNames).forEach((index) =>
    problems.push({
      path: ['models', index, 'name'],
      message: `model name "${modelNames[index]}" is used twice`,
    }),
  );
  const apiNames = spec.apis.map((api) => api.name);
  duplicates(apiNames).forEach((index) =>
    problems.push({
      path: ['apis', index, 'name'],
      message: `api name "${apiNames[index]}" is used twice`,
    }),
  );
  spec.apis.forEach((api, index) => {
    if ((RESERVED_API_NAMES as readonly string[]).includes(api.name)) {
      problems.push({
        path: ['apis', index, 'name'],
        message: `"${api.name}" is reserved by the runtime (${RESERVED_API_NAMES.join(', ')}); choose another name`,
      });
    }
    if (!modelNames.includes(api.model)) {
      problems.push({
        path: ['apis', index, 'model'],
        message: `no model named "${api.model}" in models (${modelNames.map((n) => `"${n}"`).join(', ')})`,
      });
    }
  });
  spec.models.forEach((model, index) => {
    const file = modelFile(root, model.path);
    if (isAbsolute(model.path) || !file.startsWith(root)) {
      problems.push({
        path: ['models', index, 'path'],
        message: `"${model.path}" is outside the bento folder; models must live inside it so they ship with it`,
      });
    } else if (!existsSync(file)) {
      problems.push({ path: ['models', index, 'path'], message: `${file} does not exist` });
    } else if (!statSync(file).isFile()) {
      problems.push({ path: ['models', index, 'path'], message: `${file} is not a file` });
    }
  });
  return problems;
}

export function formatField(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

function modelFile(root: string, path: string): string {
  return resolve(root, path);
}

/** Indexes of the second and later occurrences of a repeated name. */
function duplicates(names: readonly string[]): number[] {
  return names.flatMap((name, index) => (names.indexOf(name) < index ? [index] : []));
}
