import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic, writeJsonAtomic } from '../src/write-atomic.js';

describe('atomic writes', () => {
  it('GIVEN a missing folder WHEN written THEN it is created and no temporary file is left', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'bentoctl-atomic-')), 'a', 'b');
    writeJsonAtomic(join(dir, 'record.json'), { digest: 'sha256:1' });
    expect(readFileSync(join(dir, 'record.json'), 'utf8')).toBe('{\n  "digest": "sha256:1"\n}\n');
    expect(readdirSync(dir)).toEqual(['record.json']);
  });

  it('GIVEN an existing file WHEN rewritten THEN it holds the new text only', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bentoctl-atomic-')), 'main.tf.json');
    writeFileSync(file, 'x'.repeat(1000));
    writeFileAtomic(file, '{}');
    expect(readFileSync(file, 'utf8')).toBe('{}');
  });
});
