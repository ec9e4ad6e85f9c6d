/**
 * The full check of a bento folder: the schema, the cross-references, and every model read
 * with its signature resolved against the APIs, each problem reported at the file, line and
 * field of bento.yaml it comes from. `bento build`, `build` and `serve` load each model in
 * onnxruntime; `validate` and `generate` read the ONNX protobuf only (tens of milliseconds
 * instead of a session per model), which catches a corrupt or truncated file and a signature
 * that does not fit the APIs, though not an operator onnxruntime cannot run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseYaml, type YamlSource } from '../config/read-yaml.js';
import { diagnosticsFromIssues } from '../config/zod-diagnostics.js';
import { BentoctlError, errors, type Diagnostic } from '../errors/index.js';
import { BENTO_FILE } from './bento-file.js';
import { checkBento, formatField, manifestOf, type BentoManifest } from './manifest.js';
import { readModelSignature, readProtobufSignature } from './onnx-metadata.js';
import { bentoSchema } from './schema.js';
import { batchingProblem, resolveSignature, type ModelSignature } from './signature.js';

export interface ValidatedBento {
  readonly manifest: BentoManifest;
  readonly signatures: ReadonlyMap<string, ModelSignature>;
}

export interface ValidateBentoOptions {
  /**
   * How models are read: `onnxruntime` loads each one in a session (proving it runs there);
   * `protobuf` decodes the file only.
   * @default 'onnxruntime'
   */
  readonly models?: 'onnxruntime' | 'protobuf';
}

export async function validateBento(
  dir: string,
  options: ValidateBentoOptions = {},
): Promise<ValidatedBento> {
  const reader = options.models ?? 'onnxruntime';
  const root = resolve(dir);
  const file = join(root, BENTO_FILE);
  if (!existsSync(root)) throw errors.bentoDirNotFound(root);
  if (!existsSync(file))
    throw errors.bentoInvalid(file, [
      {
        location: { file, line: 1, column: 1 },
        field: '',
        message: `${root} has no ${BENTO_FILE}`,
      },
    ]);
  const source = readBentoYaml(file);
  const data: unknown = source.document.toJS();
  const parsed = bentoSchema.safeParse(data);
  if (!parsed.success) {
    throw errors.bentoInvalid(
      file,
      diagnosticsFromIssues(parsed.error.issues, {
        schema: bentoSchema,
        data,
        locator: source.locator,
        basePath: [],
      }),
    );
  }
  const spec = parsed.data;
  const at = (path: readonly PropertyKey[], message: string): Diagnostic => ({
    location: source.locator.value(path),
    field: formatField(path),
    message,
  });
  const problems = checkBento(spec, root).map((problem) => at(problem.path, problem.message));
  if (problems.length > 0) throw errors.bentoInvalid(file, problems);

  const signatures = new Map<string, ModelSignature>();
  for (const [index, model] of spec.models.entries()) {
    let declared;
    try {
      declared =
        reader === 'onnxruntime'
          ? await readModelSignature(resolve(root, model.path))
          : await readProtobufSignature(resolve(root, model.path));
    } catch (error) {
      const reading =
        reader === 'onnxruntime' ? 'onnxruntime cannot load' : 'cannot read the ONNX model';
      problems.push(at(['models', index, 'path'], `${reading} ${model.path}: ${firstLine(error)}`));
      continue;
    }
    const resolved = resolveSignature(declared, model);
    for (const problem of resolved.problems) {
      problems.push(at(['models', index, problem.side, problem.name], problem.message));
    }
    signatures.set(model.name, resolved.signature);
  }
  spec.apis.forEach((api, index) => {
    const signature = signatures.get(api.model);
    if (signature === undefined || !api.batchable) return;
    const problem = batchingProblem(signature);
    if (problem !== undefined) problems.push(at(['apis', index, 'batchable'], problem));
  });
  if (problems.length > 0) throw errors.bentoInvalid(file, problems);
  return { manifest: manifestOf(spec, root), signatures };
}

/** bento.yaml through the config reader, with bento wording in its errors. */
function readBentoYaml(file: string): YamlSource {
  try {
    return parseYaml(file, readFileSync(file, 'utf8'));
  } catch (error) {
    if (
      error instanceof BentoctlError &&
      (error.code === 'CONFIG_YAML_SYNTAX' || error.code === 'CONFIG_EMPTY')
    ) {
      const diagnostics =
        error.code === 'CONFIG_EMPTY'
          ? error.diagnostics.map((d) => ({
              ...d,
              message: 'the file has no content; it needs service, models and apis',
            }))
          : error.diagnostics;
      throw errors.bentoYamlSyntax(file, diagnostics);
    }
    throw error;
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? text).slice(0, 300);
}
