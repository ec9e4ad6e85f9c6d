import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planNewConfig, type InitAsker, type InitInputs } from '../../src/config/new-config.js';
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
    expect(planned.config.bentoReference.path).toBe(join(cwd, 'iris'));
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
    expect(planned.config.target).toBe('google-cloud-run');
    expect(planned.config.spec).toMatchObject({ project: 'my-ml-project', region: 'europe-west1' });
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
    const planned = await planNewConfig(
      inputs(cwd, {
        yes: true,
        target: 'azure-aks',
        set: { api_server_authorized_ip_ranges: ['203.0.113.0/24'] },
      }),
      undefined,
    );
    expect(planned.config.bento).toBe('.');
    expect(planned.config.name).toBe('iris');
  });
});
