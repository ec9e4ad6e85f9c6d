/**
 * The guard of the one CLI test helper (test/helpers/run-cli.ts): a suite that spawns the CLI
 * fails fast, saying to build, when dist/ is missing or older than a file under src/, instead of
 * testing yesterday's code. Checked on a throw-away package of its own, so the repository's
 * real dist/ is never touched.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertCliBuilt, runCli } from '../helpers/run-cli.js';

const folders: string[] = [];
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A package folder with the given files, each dated `secondsAgo` before now. */
function fakePackage(
  files: Record<string, { readonly text: string; readonly secondsAgo: number }>,
) {
  const root = mkdtempSync(join(tmpdir(), 'bctl-stale-dist-'));
  folders.push(root);
  const nowS = Date.now() / 1000;
  for (const [path, { text, secondsAgo }] of Object.entries(files)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    utimesSync(file, nowS - secondsAgo, nowS - secondsAgo);
  }
  return root;
}

const BIN = { text: "console.log('the built CLI ran');\n", secondsAgo: 120 };

describe('the stale-dist guard of runCli/startCli', () => {
  it('GIVEN a package without dist/ WHEN runCli starts THEN it throws saying to build, spawning nothing', () => {
    const root = fakePackage({ 'bin/run.js': BIN, 'src/a.ts': { text: '', secondsAgo: 60 } });

    expect(() => runCli(['--version'], { root })).toThrow(
      /dist\/ is not built: run `npm run build`/,
    );
  });

  it('GIVEN a source changed after the build WHEN runCli starts THEN it throws naming that file', () => {
    const root = fakePackage({
      'bin/run.js': BIN,
      'dist/commands/plan.js': { text: '', secondsAgo: 60 },
      'src/old.ts': { text: '', secondsAgo: 90 },
      'src/deploy/changed.ts': { text: '', secondsAgo: 10 },
    });

    expect(() => runCli(['--version'], { root })).toThrow(
      /^src\/deploy\/changed\.ts changed after dist\/ was built \(.+\): .*run `npm run build` first$/,
    );
    expect(() => assertCliBuilt(root)).toThrow(/changed after dist\/ was built/);
  });

  it('GIVEN dist/ built after every source WHEN runCli runs THEN the built CLI runs', async () => {
    const root = fakePackage({
      'bin/run.js': BIN,
      'dist/commands/plan.js': { text: '', secondsAgo: 30 },
      'src/a.ts': { text: '', secondsAgo: 60 },
    });

    const result = await runCli([], { root });

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe('the built CLI ran\n');
  });
});
