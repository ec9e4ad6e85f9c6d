import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bentoContentHash, listBentoFiles } from '../../src/bento/content-hash.js';
import { parseIgnore } from '../../src/bento/ignore.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'bentoctl-ignore-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), content);
  }
  return root;
}

describe('.bentoignore patterns', () => {
  const cases: readonly [pattern: string, path: string, isDirectory: boolean, ignored: boolean][] =
    [
      ['*.log', 'train.log', false, true],
      ['*.log', 'logs/deep/train.log', false, true],
      ['*.log', 'train.logs', false, false],
      ['/notes.md', 'notes.md', false, true],
      ['/notes.md', 'docs/notes.md', false, false],
      ['data/', 'data', true, true],
      ['data/', 'data', false, false],
      ['docs/*.md', 'docs/a.md', false, true],
      ['docs/*.md', 'docs/sub/a.md', false, false],
      ['**/cache', 'a/b/cache', true, true],
      ['**/cache', 'cache', true, true],
      ['build/**', 'build/x/y.bin', false, true],
      ['model-?.onnx', 'model-a.onnx', false, true],
      ['model-?.onnx', 'model-ab.onnx', false, false],
      ['# comment', '# comment', false, false],
      ['\\#literal', '#literal', false, true],
    ];
  for (const [pattern, path, isDirectory, ignored] of cases) {
    it(`GIVEN "${pattern}" THEN ${path}${isDirectory ? '/' : ''} is ${ignored ? '' : 'not '}ignored`, () => {
      expect(parseIgnore(pattern).ignores(path, isDirectory)).toBe(ignored);
    });
  }

  it('GIVEN a negation after a match THEN the later rule wins', () => {
    const matcher = parseIgnore('*.onnx\n!keep.onnx\n');
    expect(matcher.ignores('drop.onnx', false)).toBe(true);
    expect(matcher.ignores('keep.onnx', false)).toBe(false);
  });
});

describe('bento content and version', () => {
  it('GIVEN a .bentoignore THEN ignored files are not listed and do not change the version', () => {
    const root = tree({
      'bento.yaml': 'service: a\n',
      'models/m.onnx': 'x',
      '.bentoignore': 'notebooks/\n*.tmp\n',
      'notebooks/n.ipynb': '{}',
      'scratch.tmp': '1',
    });
    expect(listBentoFiles(root)).toEqual(['.bentoignore', 'bento.yaml', 'models/m.onnx']);
    const before = bentoContentHash(root);
    writeFileSync(join(root, 'scratch.tmp'), 'changed');
    writeFileSync(join(root, 'notebooks/other.ipynb'), '{}');
    expect(bentoContentHash(root)).toBe(before);
    writeFileSync(join(root, 'models/m.onnx'), 'y');
    expect(bentoContentHash(root)).not.toBe(before);
  });

  it('GIVEN the same files in two folders THEN the versions are equal, and .git or node_modules never count', () => {
    const a = tree({ 'bento.yaml': 's', 'm/x.onnx': '1' });
    const b = tree({
      'bento.yaml': 's',
      'm/x.onnx': '1',
      '.git/HEAD': 'ref',
      'node_modules/p/i.js': '',
    });
    expect(bentoContentHash(a)).toBe(bentoContentHash(b));
    expect(bentoContentHash(a)).toMatch(/^[0-9a-f]{16}$/);
  });
});
