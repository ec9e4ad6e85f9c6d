import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const IRIS_MODEL = join(import.meta.dirname, '..', '..', 'examples', 'iris', 'models', 'iris.onnx');

/**
 * A temp folder holding `iris/` (bento.yaml and the example's 4-input ONNX classifier): the
 * smallest bento that `validate` and `generate` accept, since both read its model.
 */
export function makeBentoWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'bentoctl-test-'));
  mkdirSync(join(root, 'iris', 'models'), { recursive: true });
  writeFileSync(
    join(root, 'iris', 'bento.yaml'),
    'service: iris_classifier\nmodels:\n  - name: iris\n    path: models/iris.onnx\napis:\n  - name: classify\n    model: iris\n',
  );
  copyFileSync(IRIS_MODEL, join(root, 'iris', 'models', 'iris.onnx'));
  return root;
}
