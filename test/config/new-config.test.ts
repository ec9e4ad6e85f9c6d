import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  planNewConfig,
  type InitAsker,
  type InitInputs,
  type ProblemChoice,
} from '../../src/config/new-config.js';
import { makeBentoWorkspace } from '../helpers/bento-fixture.js';
import { bentoctlFailure } from '../helpers/bentoctl-failure.js';

const inputs = (cwd: string, extra: Partial<InitInputs> = {}): InitInputs => ({
  set: {},
  output: 'deployment_config.yaml',
  force: false,
  yes: false,
  cwd,
  ...extra,
});

/** Answers like a person who accepts every default, recording what was asked. */
function defaultsAsker(asked: string[]): InitAsker {
  return {
    target: async (targets) => {
      asked.push('target');
      return targets[1]?.name ?? 'aws-ecs';
    },
    text: async (question, defaultValue) => {
      asked.push(question);
      return defaultValue ?? '';
    },
    specField: async (_target, field, defaultValue) => {
      asked.push(`spec.${field.name}`);
      return field.name === 'project' ? 'my-ml-project' : defaultValue;
    },
    problems: async () => 'cancel',
  };
}

/**
 * A person typing scripted answers at a prompt that checks each one as inquirer does: an
 * answer the check refuses is shown its message (recorded) and the next answer is typed.
 */
function scriptedAsker(
  answers: Record<string, unknown[]>,
  refused: string[],
  onProblems: ProblemChoice[] = ['cancel'],
): InitAsker {
  const next = async (key: string, fallback: unknown, check?: (value: never) => unknown) => {
    for (;;) {
      const queue = answers[key] ?? [];
      const value = queue.length > 0 ? queue.shift() : fallback;
      const verdict = check === undefined ? true : await check(value as never);
      if (verdict === true) return value;
      refused.push(`${key}=${String(value)}: ${String(verdict)}`);
      if (queue.length === 0)
        throw new Error(`no answer left for ${key} after: ${String(verdict)}`);
    }
  };
  return {
    target: async () => (answers.target?.[0] as 'google-cloud-run') ?? 'google-cloud-run',
    text: async (question, defaultValue, check) =>
      String(await next(question.startsWith('Bento') ? 'bento' : 'name', defaultValue, check)),
    specField: async (_target, field, defaultValue, check) => next(field.name, defaultValue, check),
    problems: async () => onProblems.shift() ?? 'cancel',
  };
}

describe('planning a new config', () => {
  it('GIVEN --yes with target and bento THEN defaults fill the rest and the text validates', async () => {
    const cwd = makeBentoWorkspace();
    const planned = await planNewConfig(
      inputs(cwd, { yes: true, target: 'aws-ecs', bento: './iris' }),
      undefined,
    );
    expect(planned.config).toMatchObject({ name: 'iris', target: 'aws-ecs', bento: './iris' });
    expect(planned.text).toContain('  region: us-east-1\n');
    expect(planned.text).toContain(
      '  # log_retention_days: 30 # CloudWatch log retention in days.',
    );
  });

  it('GIVEN an output in a subfolder THEN the bento path is written relative to it', async () => {
    const cwd = makeBentoWorkspace();
    const planned = await planNewConfig(
      inputs(cwd, {
        yes: true,
        target: 'aws-ecs',
        bento: 'iris',
        output: 'deploy/prod/config.yaml',
      }),
      undefined,
    );
    expect(planned.text).toContain('bento: ../../iris ');
    expect(planned.config?.bentoReference.path).toBe(join(cwd, 'iris'));
  });

  it('GIVEN a terminal THEN only what flags did not give is asked', async () => {
    const cwd = makeBentoWorkspace();
    const asked: string[] = [];
    const planned = await planNewConfig(
      inputs(cwd, { bento: './iris', region: 'europe-west1' }),
      defaultsAsker(asked),
    );
    expect(asked).toEqual([
      'target',
      'Deployment name',
      'spec.project',
      'spec.cpu',
      'spec.memory',
      'spec.min_instances',
      'spec.max_instances',
    ]);
    expect(planned.config?.target).toBe('google-cloud-run');
    expect(planned.config?.spec).toMatchObject({
      project: 'my-ml-project',
      region: 'europe-west1',
    });
  });

  it('GIVEN no terminal and no --yes THEN every missing value is named', async () => {
    const cwd = makeBentoWorkspace();
    const error = await bentoctlFailure(planNewConfig(inputs(cwd, { bento: './iris' }), undefined));
    expect(error.code).toBe('INIT_INPUT_MISSING');
    expect(error.message).toContain('--target');
    expect(error.message).toContain('--name');
  });

  it('GIVEN --yes but a spec field without a default THEN it must be set', async () => {
    const cwd = makeBentoWorkspace();
    const error = await bentoctlFailure(
      planNewConfig(
        inputs(cwd, { yes: true, target: 'google-cloud-run', bento: './iris' }),
        undefined,
      ),
    );
    expect(error.code).toBe('INIT_INPUT_MISSING');
    expect(error.message).toContain('--set project=<value>');
  });

  it('GIVEN --set of an unknown field THEN the closest field is suggested', async () => {
    const cwd = makeBentoWorkspace();
    const error = await bentoctlFailure(
      planNewConfig(
        inputs(cwd, { yes: true, target: 'aws-ecs', bento: './iris', set: { memroy: 4096 } }),
        undefined,
      ),
    );
    expect(error.code).toBe('SPEC_FIELD_UNKNOWN');
    expect(error.hint).toContain('memory');
  });

  it('GIVEN --set values that break a cloud rule THEN nothing is planned and the field is named', async () => {
    const cwd = makeBentoWorkspace();
    const error = await bentoctlFailure(
      planNewConfig(
        inputs(cwd, { yes: true, target: 'aws-ecs', bento: './iris', set: { memory: 1000 } }),
        undefined,
      ),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.diagnostics[0]?.field).toBe('spec.memory');
    expect(error.message).toContain('Nothing was written');
  });

  it('GIVEN an existing output THEN it is refused before anything is asked', async () => {
    const cwd = makeBentoWorkspace();
    writeFileSync(join(cwd, 'deployment_config.yaml'), 'keep me');
    const asked: string[] = [];
    const error = await bentoctlFailure(planNewConfig(inputs(cwd), defaultsAsker(asked)));
    expect(error.code).toBe('OUTPUT_EXISTS');
    expect(asked).toEqual([]);
  });

  it('GIVEN an unknown target THEN the closest one is suggested', async () => {
    const cwd = makeBentoWorkspace();
    const error = await bentoctlFailure(
      planNewConfig(inputs(cwd, { yes: true, target: 'aws-ecz', bento: './iris' }), undefined),
    );
    expect(error.code).toBe('TARGET_UNKNOWN');
    expect(error.hint).toContain('aws-ecs');
    expect(existsSync(join(cwd, 'deployment_config.yaml'))).toBe(false);
  });

  it('GIVEN a bento in the current folder THEN --yes finds it and names the deployment after it', async () => {
    const cwd = join(makeBentoWorkspace(), 'iris');
    const planned = await planNewConfig(inputs(cwd, { yes: true, target: 'azure-aks' }), undefined);
    expect(planned.config?.bento).toBe('.');
    expect(planned.config?.name).toBe('iris');
  });
});

describe('answers checked as they are given', () => {
  it('GIVEN Cloud Run cpu 3 and min 5 / max 2 THEN each is asked again with the rule, and the file validates', async () => {
    const cwd = makeBentoWorkspace();
    const refused: string[] = [];
    const planned = await planNewConfig(
      inputs(cwd, { bento: './iris', name: 'iris', region: 'europe-west1' }),
      scriptedAsker(
        {
          project: ['my-ml-project'],
          cpu: [3, 2],
          min_instances: [5],
          max_instances: [2, 8],
        },
        refused,
      ),
    );
    expect(refused).toHaveLength(2);
    expect(refused[0]).toMatch(/^cpu=3: /);
    expect(refused[1]).toMatch(/^max_instances=2: .*larger than max_instances/);
    expect(planned.config?.spec).toMatchObject({ cpu: 2, min_instances: 5, max_instances: 8 });
  });

  it('GIVEN a bento path that does not exist THEN it is asked again before anything else', async () => {
    const cwd = makeBentoWorkspace();
    const refused: string[] = [];
    const planned = await planNewConfig(
      inputs(cwd, { target: 'aws-ecs', name: 'iris' }),
      scriptedAsker({ bento: ['./nope', './iris'] }, refused),
    );
    expect(refused).toEqual([expect.stringMatching(/^bento=\.\/nope: /)]);
    expect(planned.bento).toBe('./iris');
  });

  it('GIVEN problems left at the end THEN "write anyway" writes them at the top, and "fix" asks only those again', async () => {
    const cwd = makeBentoWorkspace();
    // A region flag the prompts never ask about; the check does not cover flags.
    const written = await planNewConfig(
      inputs(cwd, { bento: './iris', name: 'iris', target: 'aws-ecs', region: 'eu-west-9' }),
      scriptedAsker({ target: ['aws-ecs'] }, [], ['write']),
    );
    expect(written.config).toBeUndefined();
    expect(written.problems.map((d) => d.field)).toEqual(['spec.region']);
    expect(written.text.split('\n')[1]).toMatch(/^# {3}spec\.region: /);

    const asked: string[] = [];
    const asker = scriptedAsker({ target: ['aws-ecs'], region: ['eu-west-1'] }, [], ['fix']);
    const fixed = await planNewConfig(
      inputs(cwd, { bento: './iris', name: 'iris', target: 'aws-ecs', region: 'eu-west-9' }),
      {
        ...asker,
        specField: async (target, field, fallback, check) => {
          asked.push(field.name);
          return asker.specField(target, field, fallback, check);
        },
      },
    );
    // The four questions of a first run, then only the field the problem points at.
    expect(asked).toEqual(['cpu', 'memory', 'min_instances', 'max_instances', 'region']);
    expect(fixed.config?.spec).toMatchObject({ region: 'eu-west-1' });
  });
});
