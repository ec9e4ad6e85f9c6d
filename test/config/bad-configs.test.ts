import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { BentoctlError } from '../../src/errors/index.js';
import { makeBentoWorkspace } from '../helpers/bento-fixture.js';
import { runCliMany, type CliResult } from '../helpers/run-cli.js';
import { BAD_CONFIGS, type BadConfigCase } from './bad-configs.cases.js';

const workspace = makeBentoWorkspace();
const env = { BENTOCTL_HOME: join(workspace, 'home') };

function pathOf(testCase: BadConfigCase, index: number): string {
  if (testCase.yaml === null) return join(workspace, testCase.path ?? 'missing.yaml');
  const file = join(workspace, `case-${index}.yaml`);
  writeFileSync(file, testCase.yaml);
  return file;
}

const files = BAD_CONFIGS.map((testCase, index) => pathOf(testCase, index));

describe('invalid deployment configs', () => {
  it('has at least 50 cases', () => {
    expect(BAD_CONFIGS.length).toBeGreaterThanOrEqual(50);
  });

  describe.each(BAD_CONFIGS.map((testCase, index) => ({ ...testCase, index })))(
    'GIVEN $name',
    (testCase) => {
      it('WHEN loaded THEN one error names the file, line and field', () => {
        mkdirSync(env.BENTOCTL_HOME, { recursive: true });
        const file = files[testCase.index] ?? '';
        let caught: unknown;
        try {
          loadConfig(file, { env: {}, home: env.BENTOCTL_HOME });
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(BentoctlError);
        const error = caught as BentoctlError;
        expect(error.code).toBe(testCase.code);
        expect(error.kind).toBe('usage');
        if (testCase.line !== undefined) {
          expect(error.diagnostics).toHaveLength(1);
          const [diagnostic] = error.diagnostics;
          expect(diagnostic?.location.file).toBe(file);
          expect(diagnostic?.location.line).toBe(testCase.line);
          if (testCase.field !== undefined) expect(diagnostic?.field).toBe(testCase.field);
        } else {
          expect(error.message).toContain(file);
        }
        if (testCase.mentions !== undefined) {
          const text = [
            error.message,
            ...error.diagnostics.flatMap((d) => [d.message, d.suggestion ?? '']),
          ].join('\n');
          expect(text).toContain(testCase.mentions);
        }
      });
    },
  );
});

describe('invalid deployment configs through the CLI', () => {
  let results: CliResult[] = [];

  beforeAll(async () => {
    results = await runCliMany(
      files.map((file) => ({ args: ['validate', '-f', file], cwd: workspace, env })),
    );
  }, 240_000);

  it.each(BAD_CONFIGS.map((testCase, index) => ({ ...testCase, index })))(
    '$name: exits 2 with file:line and field, no stack trace',
    (testCase) => {
      const result = results[testCase.index];
      expect(result?.status).toBe(2);
      const stderr = result?.stderr ?? '';
      expect(stderr).toContain(`Error [${testCase.code}]`);
      if (testCase.line !== undefined)
        expect(stderr).toMatch(new RegExp(`:${testCase.line}:\\d+ `));
      if (testCase.field) expect(stderr).toContain(`${testCase.field}:`);
      expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      expect(result?.stdout).toBe('');
    },
  );
});
