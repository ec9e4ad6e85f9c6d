/**
 * apply's "build first?" rule, now in the library: --build always builds; otherwise only a run
 * that generates from the build record, and finds none, builds (there is nothing to deploy).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildFirst } from '../../src/deploy/apply-and-wait.js';
import type { OpenedRun } from '../../src/deploy/open-run.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function opened(options: { generates: boolean; image?: string; recorded: boolean }): OpenedRun {
  const root = mkdtempSync(join(tmpdir(), 'bctl-build-first-'));
  dirs.push(root);
  const buildRecord = join(root, 'build.json');
  if (options.recorded) writeFileSync(buildRecord, '{}');
  return {
    run: {
      paths: { root, stack: join(root, 'stack'), buildRecord, lock: join(root, 'apply.lock') },
      writeStack: options.generates ? async () => ({ warnings: [] }) : undefined,
    },
    image: options.image,
  } as unknown as OpenedRun;
}

const apply = { wait: false, waitTimeoutSeconds: 1, report: () => undefined };

describe('buildFirst', () => {
  it('GIVEN --build THEN it builds, even with a build record', () => {
    expect(buildFirst(opened({ generates: true, recorded: true }), { ...apply, build: true })).toBe(
      true,
    );
  });

  it('GIVEN no build record and a run that generates from it THEN it builds', () => {
    expect(buildFirst(opened({ generates: true, recorded: false }), apply)).toBe(true);
  });

  it('GIVEN a build record THEN it does not build', () => {
    expect(buildFirst(opened({ generates: true, recorded: true }), apply)).toBe(false);
  });

  it('GIVEN --image, --no-generate, a saved plan or a rollback THEN no record is needed', () => {
    const none = { generates: true, recorded: false };
    expect(buildFirst(opened({ ...none, image: 'registry.example.com/iris:1' }), apply)).toBe(
      false,
    );
    expect(buildFirst(opened({ ...none, generates: false }), apply)).toBe(false);
    expect(buildFirst(opened(none), { ...apply, savedPlan: 'prod-plan' })).toBe(false);
    expect(
      buildFirst(opened(none), {
        ...apply,
        rollbackTo: { number: 1 } as never,
      }),
    ).toBe(false);
  });
});
