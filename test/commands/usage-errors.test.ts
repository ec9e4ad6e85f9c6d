/**
 * oclif's own parse errors and unknown commands, through the built CLI: each carries a code from
 * the catalogue and a fix, exits 2, and under --json prints the same document as every other
 * bentoctl error. `plan --detailed-exitcode` turns every error into 1, as terraform does.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/errors/catalogue.js';
import { makeBentoWorkspace } from '../helpers/bento-fixture.js';
import { runCli, runCliMany } from '../helpers/run-cli.js';

interface ErrorDocument {
  error: {
    code: string;
    kind: string;
    message: string;
    hint: string | null;
    diagnostics: unknown[];
  };
}

/** The --json error document, checked to have exactly the keys of bentoctl's own errors. */
function errorDocument(stdout: string): ErrorDocument['error'] {
  const parsed = JSON.parse(stdout) as ErrorDocument;
  expect(Object.keys(parsed)).toEqual(['error']);
  expect(Object.keys(parsed.error).sort()).toEqual(
    ['code', 'diagnostics', 'hint', 'kind', 'message'].sort(),
  );
  expect(Object.keys(ERROR_CATALOGUE)).toContain(parsed.error.code);
  return parsed.error;
}

describe('usage errors from the command line parser', () => {
  it.each([
    // [argv, code, text the fix must contain]
    [['validate', 'x.yaml'], 'ARGUMENT_UNEXPECTED', '`bentoctl validate -f x.yaml`'],
    [['valdate'], 'COMMAND_UNKNOWN', '`bentoctl validate`'],
    [['targets', 'shw', 'aws-ecs'], 'COMMAND_UNKNOWN', '`bentoctl targets show aws-ecs`'],
    [['apply', '--no-wai'], 'FLAG_UNKNOWN', '--no-wait'],
    [['destroy', '--delete-images'], 'FLAG_UNKNOWN', 'bentoctl destroy --help'],
    [['run', '--port', 'abc'], 'FLAG_INVALID', 'bentoctl run --help'],
    [['build', '--platform', 'linux/arm64'], 'FLAG_INVALID', 'bentoctl build --help'],
    [['plan', '-f'], 'FLAG_INVALID', 'bentoctl plan --help'],
    [['promote', '--from', 'a.yaml'], 'FLAG_MISSING', 'bentoctl promote --help'],
    [['serve'], 'ARGUMENT_MISSING', 'BENTO: Bento folder'],
  ] as const)(
    'GIVEN `bentoctl %j` THEN it exits 2 with %s and a fix, in text and in --json',
    async (argv, code, fix) => {
      const [text, json] = await runCliMany([{ args: argv }, { args: [...argv, '--json'] }], 2);

      expect(text?.status, text?.stderr).toBe(2);
      expect(text?.stderr).toMatch(new RegExp(`^Error \\[${code}\\]: `));
      expect(text?.stderr).toContain(`Fix: `);
      expect(text?.stderr).toContain(fix);
      expect(json?.status, json?.stdout).toBe(2);
      const error = errorDocument(json?.stdout ?? '');
      expect(error).toMatchObject({ code, kind: 'usage' });
      expect(error.hint).toContain(fix);
    },
  );

  it('GIVEN a command given a positional after --json THEN it still suggests -f', async () => {
    const result = await runCli(['validate', '--json', 'x.yaml']);

    expect(result.status).toBe(2);
    expect(errorDocument(result.stdout)).toMatchObject({
      code: 'ARGUMENT_UNEXPECTED',
      hint: expect.stringContaining('`bentoctl validate -f x.yaml`') as string,
    });
  });
});

describe('flag relations declared on the flags (oclif relationships)', () => {
  it.each([
    [['apply', '--no-wait', '--wait-timeout', '5'], '--no-wait', '--wait-timeout'],
    [['rollback', '--no-wait', '--wait-timeout', '5'], '--no-wait', '--wait-timeout'],
    [
      ['serve', 'examples/iris', '--no-batching', '--max-batch-size', '8'],
      '--no-batching',
      '--max-batch-size',
    ],
    [
      ['apply', '--plan', 'prod-plan', '--image', 'registry.example.com/iris:1'],
      '--image',
      '--plan',
    ],
  ] as const)(
    'GIVEN `bentoctl %j` THEN it exits 2 with FLAG_CONFLICT naming both flags, in text and in --json',
    async (argv, other, flag) => {
      const [text, json] = await runCliMany([{ args: argv }, { args: [...argv, '--json'] }], 2);

      expect(text?.status, text?.stderr).toBe(2);
      expect(text?.stderr).toMatch(/^Error \[FLAG_CONFLICT\]: /);
      expect(text?.stderr).toContain(other);
      expect(text?.stderr).toContain(flag);
      expect(text?.stderr).toContain(`Fix: `);
      expect(json?.status, json?.stdout).toBe(2);
      const error = errorDocument(json?.stdout ?? '');
      expect(error).toMatchObject({ code: 'FLAG_CONFLICT', kind: 'usage' });
      expect(error.message).toContain(other);
      expect(error.hint).toContain(`bentoctl ${argv[0]} --help`);
    },
  );

  it('GIVEN the flags without the conflict THEN parsing passes (a later step fails instead)', async () => {
    const results = await runCliMany(
      [
        { args: ['apply', '--no-wait', '-f', 'no-such.yaml'] },
        { args: ['apply', '--wait', '--wait-timeout', '5', '-f', 'no-such.yaml'] },
        { args: ['serve', 'no-such-bento', '--batching', '--max-batch-size', '8'] },
      ],
      3,
    );
    for (const result of results) {
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).not.toContain('FLAG_CONFLICT');
      expect(result.stderr).toMatch(/Error \[(CONFIG_NOT_FOUND|SERVE_FAILED)\]/);
    }
  });
});

describe('plan --detailed-exitcode', () => {
  it.each([
    ['a missing config', ['-f', 'no-such.yaml'], 'CONFIG_NOT_FOUND'],
    ['an unknown flag', ['--no-such-flag'], 'FLAG_UNKNOWN'],
    ['a bad flag value', ['--markdown'], 'FLAG_INVALID'],
  ] as const)(
    'GIVEN %s THEN it exits 1, never 2 (which means changes), and --json keeps the code',
    async (_, argv, code) => {
      const [text, json, without] = await runCliMany(
        [
          { args: ['plan', '--detailed-exitcode', ...argv] },
          { args: ['plan', '--detailed-exitcode', '--json', ...argv] },
          { args: ['plan', ...argv] },
        ],
        3,
      );

      expect(text?.status, text?.stderr).toBe(1);
      expect(text?.stderr).toContain(`Error [${code}]`);
      expect(json?.status).toBe(1);
      expect(errorDocument(json?.stdout ?? '').code).toBe(code);
      expect(without?.status).toBe(2);
    },
  );

  it('GIVEN the config as a positional before the flag THEN it exits 1 and suggests -f', async () => {
    const [text, json] = await runCliMany(
      [
        { args: ['plan', 'x.yaml', '--detailed-exitcode'] },
        { args: ['plan', 'x.yaml', '--detailed-exitcode', '--json'] },
      ],
      2,
    );

    expect(text?.status, text?.stderr).toBe(1);
    expect(text?.stderr).toContain('Error [ARGUMENT_UNEXPECTED]');
    expect(text?.stderr).toContain('`bentoctl plan -f x.yaml`');
    expect(json?.status).toBe(1);
    expect(errorDocument(json?.stdout ?? '').code).toBe('ARGUMENT_UNEXPECTED');
  });

  it('GIVEN an invalid config THEN it exits 1 with the diagnostics', async () => {
    const cwd = makeBentoWorkspace();
    writeFileSync(
      join(cwd, 'deployment_config.yaml'),
      'api_version: v1\nname: iris\nbento: ./iris\ntarget: aws-ecs\nspec:\n  region: us-east-1\n  cpu: 3\n',
    );
    const result = await runCli(['plan', '--detailed-exitcode'], { cwd });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Error [CONFIG_INVALID]');
    expect(result.stderr).toContain('spec.cpu');
  });
});

describe('a file the user names that cannot be written', () => {
  it('GIVEN init --output under a regular file THEN it exits 3 with FILE_SYSTEM_ERROR naming the path, not INTERNAL', async () => {
    const cwd = makeBentoWorkspace();
    writeFileSync(join(cwd, 'blocker'), 'a file, not a folder');
    const result = await runCli(
      [
        'init',
        '--yes',
        '--target',
        'aws-ecs',
        '--bento',
        './iris',
        '--name',
        'iris',
        '--region',
        'us-east-1',
        '--output',
        'blocker/deployment_config.yaml',
      ],
      { cwd },
    );

    expect(result.status, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/^Error \[FILE_SYSTEM_ERROR\]: Could not \w+ .*blocker/);
  });
});
