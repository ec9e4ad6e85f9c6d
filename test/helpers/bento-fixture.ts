import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temp folder holding `iris/bento.yaml`, the smallest thing a config's `bento:` accepts. */
export function makeBentoWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'bentoctl-test-'));
  mkdirSync(join(root, 'iris', 'models'), { recursive: true });
  writeFileSync(
    join(root, 'iris', 'bento.yaml'),
    'service: iris_classifier\nmodels:\n  - name: iris\n    path: models/iris.onnx\napis:\n  - name: classify\n    model: iris\n',
  );
  return root;
}
