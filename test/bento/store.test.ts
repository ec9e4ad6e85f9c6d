import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bentoContentHash } from '../../src/bento/content-hash.js';
import { locateBento } from '../../src/bento/locate.js';
import { listStoredBentos, storeBento } from '../../src/bento/store.js';
import { validateBento } from '../../src/bento/validate.js';
import { repoRoot } from '../helpers/run-cli.js';

describe('bento store', () => {
  it('GIVEN a validated bento WHEN stored twice THEN one version exists, locatable as service:version', async () => {
    const home = mkdtempSync(join(tmpdir(), 'bentoctl-home-'));
    const { manifest, signatures } = await validateBento(join(repoRoot, 'examples/iris'));
    const first = storeBento(home, manifest, signatures, new Date('2026-01-01T00:00:00Z'));
    const second = storeBento(home, manifest, signatures);
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(first.stored.reference).toBe(`iris_classifier:${manifest.version}`);
    expect(readFileSync(join(first.stored.path, 'models/iris.onnx'))).toEqual(
      readFileSync(join(repoRoot, 'examples/iris/models/iris.onnx')),
    );
    const located = locateBento(first.stored.reference, '/', home);
    expect(located).toMatchObject({
      found: true,
      reference: { kind: 'store', version: manifest.version },
    });
    const listed = listStoredBentos(home);
    expect(listed.map((bento) => bento.reference)).toEqual([first.stored.reference]);
    expect(listed[0]?.models[0]?.signature.inputs[0]?.dims).toEqual([null, 4]);
    expect(existsSync(`${first.stored.path}.partial-${process.pid}`)).toBe(false);
    // The stored copy hashes to its own version: build info lives under the ignored .bentoctl/.
    expect(bentoContentHash(first.stored.path)).toBe(manifest.version);
  });

  it('GIVEN an empty home THEN the list is empty', () => {
    expect(listStoredBentos(mkdtempSync(join(tmpdir(), 'bentoctl-home-')))).toEqual([]);
  });
});
