/**
 * usageError() on errors from oclif's own parser, for the relations no command declares yet
 * (`exclusive`, `dependsOn`, argument options): they get codes and fixes like the rest.
 */
import * as Args from '@oclif/core/args';
import type * as Errors from '@oclif/core/errors';
import * as Flags from '@oclif/core/flags';
import { parse } from '@oclif/core/parser';
import { describe, expect, it } from 'vitest';
import { usageError } from '../../src/cli/usage-error.js';

const shape = { id: 'demo:cmd', flags: {}, args: {} };

async function parseError(run: () => Promise<unknown>): Promise<Errors.CLIError> {
  try {
    await run();
  } catch (error) {
    return error as Errors.CLIError;
  }
  throw new Error('expected oclif to refuse the argv');
}

describe('usageError', () => {
  it('GIVEN two exclusive flags THEN FLAG_CONFLICT names both', async () => {
    const error = await parseError(() =>
      parse(['--image', 'x', '--no-generate'], {
        flags: {
          image: Flags.string({ exclusive: ['generate'] }),
          generate: Flags.boolean({ allowNo: true }),
        },
      }),
    );

    const known = usageError(error, shape);
    expect(known).toMatchObject({ code: 'FLAG_CONFLICT', kind: 'usage', exitCode: 2 });
    expect(known.message).toBe(
      'bentoctl demo cmd: --no-generate cannot also be provided when using --image.',
    );
    expect(known.hint).toContain('bentoctl demo cmd --help');
  });

  it('GIVEN a flag without the one it depends on THEN FLAG_CONFLICT says which', async () => {
    const error = await parseError(() =>
      parse(['--registry', 'r.example.com'], {
        flags: {
          registry: Flags.string({ dependsOn: ['push'] }),
          push: Flags.boolean(),
        },
      }),
    );

    expect(usageError(error, shape)).toMatchObject({
      code: 'FLAG_CONFLICT',
      message:
        'bentoctl demo cmd: All of the following must be provided when using --registry: --push.',
    });
  });

  it('GIVEN an argument outside its options THEN ARGUMENT_INVALID lists them', async () => {
    const error = await parseError(() =>
      parse(['gcp'], { args: { target: Args.string({ options: ['aws-ecs', 'azure-aks'] }) } }),
    );

    expect(usageError(error, shape)).toMatchObject({
      code: 'ARGUMENT_INVALID',
      message: 'bentoctl demo cmd: Expected gcp to be one of: aws-ecs, azure-aks.',
    });
  });
});
