import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBentoManifest, BentoLoadError } from '../../src/bento/manifest.js';
import { readProtobufSignature, readModelSignature } from '../../src/bento/onnx-metadata.js';
import { validateBento } from '../../src/bento/validate.js';
import { BentoctlError } from '../../src/errors/index.js';
import { repoRoot } from '../helpers/run-cli.js';

const IRIS_MODEL = join(repoRoot, 'examples/iris/models/iris.onnx');

function bento(yaml: string, models: Record<string, string> = { 'iris.onnx': IRIS_MODEL }): string {
  const dir = mkdtempSync(join(tmpdir(), 'bentoctl-validate-'));
  for (const [name, source] of Object.entries(models)) cpSync(source, join(dir, name));
  writeFileSync(join(dir, 'bento.yaml'), yaml);
  return dir;
}

async function problems(dir: string) {
  try {
    await validateBento(dir);
  } catch (error) {
    if (error instanceof BentoctlError) return { code: error.code, diagnostics: error.diagnostics };
    throw error;
  }
  throw new Error('expected the bento to be refused');
}

describe('validateBento', () => {
  it('GIVEN examples/iris THEN it validates with the signature read from the model', async () => {
    const { manifest, signatures } = await validateBento(join(repoRoot, 'examples/iris'));
    expect(manifest.service).toBe('iris_classifier');
    expect(signatures.get('iris')).toEqual({
      inputs: [{ name: 'input', dtype: 'float32', dims: [null, 4] }],
      outputs: [
        { name: 'probabilities', dtype: 'float32', dims: [null, 3] },
        { name: 'label', dtype: 'int64', dims: [null] },
      ],
    });
  });

  it('GIVEN examples/text-direction THEN the published CNN loads and the override pins 48x192', async () => {
    const { signatures } = await validateBento(join(repoRoot, 'examples/text-direction'));
    expect(signatures.get('text_direction')?.inputs).toEqual([
      { name: 'x', dtype: 'float32', dims: [null, 3, 48, 192] },
    ]);
  });

  it('GIVEN a typo in a field THEN the error names file:line, the field and the closest key', async () => {
    const dir = bento(
      'service: s\nmodels:\n  - name: iris\n    pth: iris.onnx\napis:\n  - name: a\n    model: iris\n',
    );
    const { code, diagnostics } = await problems(dir);
    expect(code).toBe('BENTO_INVALID');
    expect(diagnostics).toContainEqual(
      expect.objectContaining({
        field: 'models[0].pth',
        location: expect.objectContaining({ line: 4, file: join(dir, 'bento.yaml') }),
        suggestion: 'path',
      }),
    );
  });

  it('GIVEN an api naming a missing model and a missing model file THEN both are reported at their lines', async () => {
    const dir = bento(
      'service: s\nmodels:\n  - name: iris\n    path: nope.onnx\napis:\n  - name: a\n    model: irs\n',
    );
    const { diagnostics } = await problems(dir);
    expect(diagnostics.map((d) => [d.field, d.location.line])).toEqual([
      ['apis[0].model', 7],
      ['models[0].path', 4],
    ]);
    expect(diagnostics[0]?.message).toContain('no model named "irs"');
  });

  it('GIVEN a file that is not an ONNX model THEN onnxruntime refuses it at models[i].path', async () => {
    const garbage = join(mkdtempSync(join(tmpdir(), 'bentoctl-garbage-')), 'bad.onnx');
    writeFileSync(garbage, 'not a model');
    const dir = bento(
      'service: s\nmodels:\n  - name: m\n    path: bad.onnx\napis:\n  - name: a\n    model: m\n',
      { 'bad.onnx': garbage },
    );
    const { diagnostics } = await problems(dir);
    expect(diagnostics[0]).toMatchObject({ field: 'models[0].path' });
    expect(diagnostics[0]?.message).toContain('onnxruntime cannot load bad.onnx');
  });

  it('GIVEN an override of an input the model lacks THEN the problem points at that override', async () => {
    const dir = bento(
      'service: s\nmodels:\n  - name: iris\n    path: iris.onnx\n    inputs:\n      features: { shape: [-1, 4] }\napis:\n  - name: a\n    model: iris\n',
    );
    const { diagnostics } = await problems(dir);
    expect(diagnostics[0]).toMatchObject({
      field: 'models[0].inputs.features',
      location: expect.objectContaining({ line: 6 }),
    });
  });

  it('GIVEN a reserved api name and duplicate names THEN each is refused', async () => {
    const dir = bento(
      'service: s\nmodels:\n  - name: iris\n    path: iris.onnx\napis:\n  - name: metrics\n    model: iris\n  - name: metrics\n    model: iris\n',
    );
    const { diagnostics } = await problems(dir);
    expect(diagnostics.map((d) => d.field)).toEqual([
      'apis[1].name',
      'apis[0].name',
      'apis[1].name',
    ]);
  });

  it('GIVEN broken YAML THEN BENTO_YAML_SYNTAX with the line', async () => {
    const dir = bento('service: s\nmodels: [\n');
    const { code, diagnostics } = await problems(dir);
    expect(code).toBe('BENTO_YAML_SYNTAX');
    expect(diagnostics[0]?.location.line).toBeGreaterThanOrEqual(1);
  });

  it('GIVEN the runtime loader and a bad bento THEN it fails fast listing field paths', () => {
    const dir = bento('service: S!\nmodels: []\napis: []\n');
    expect(() => loadBentoManifest(dir)).toThrow(BentoLoadError);
    expect(() => loadBentoManifest(dir)).toThrow(/service: .*lower-case/);
  });
});

describe('model metadata', () => {
  it('GIVEN the iris model THEN onnxruntime and the protobuf reader agree on its signature', async () => {
    const fromOrt = await readModelSignature(IRIS_MODEL);
    const fromProtobuf = await readProtobufSignature(IRIS_MODEL);
    expect(fromOrt.source).toBe('onnxruntime');
    expect(fromProtobuf.inputs).toEqual(fromOrt.inputs);
    expect(fromProtobuf.outputs).toEqual(fromOrt.outputs);
  });
});
