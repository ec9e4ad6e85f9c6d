import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configJsonSchema } from '../../src/config/json-schema.js';
import { TARGET_NAMES } from '../../src/targets/names.js';
import { repoRoot } from '../helpers/run-cli.js';

const schema = configJsonSchema();
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);

describe('the exported JSON Schema', () => {
  it('GIVEN the committed schemas/deployment_config.schema.json THEN it is what the sources produce', () => {
    const committed: unknown = JSON.parse(
      readFileSync(join(repoRoot, 'schemas', 'deployment_config.schema.json'), 'utf8'),
    );
    expect(committed).toEqual(schema);
  });

  it.each(TARGET_NAMES)(
    'GIVEN examples/%s THEN an editor using the schema accepts it',
    (target) => {
      const text = readFileSync(
        join(repoRoot, 'examples', target, 'deployment_config.yaml'),
        'utf8',
      );
      const ok = validate(parse(text));
      expect(validate.errors ?? [], target).toEqual([]);
      expect(ok).toBe(true);
    },
  );

  it('GIVEN a spec field of another target THEN the editor flags it', () => {
    const config = {
      api_version: 'v1',
      name: 'iris',
      bento: './iris',
      target: 'aws-ecs',
      spec: { project: 'p' },
    };
    expect(validate(config)).toBe(false);
    expect(JSON.stringify(validate.errors)).toContain('project');
  });

  it('GIVEN an unknown top-level key or a bad enum THEN the editor flags it like the loader', () => {
    expect(
      validate({ api_version: 'v1', name: 'iris', bento: '.', target: 'aws-ecs', regin: 'x' }),
    ).toBe(false);
    expect(validate({ api_version: 'v1', name: 'iris', bento: '.', target: 'gcp' })).toBe(false);
    expect(
      validate({
        api_version: 'v1',
        name: 'iris',
        bento: '.',
        target: 'aws-ecs',
        state: { backend: 's3' },
      }),
    ).toBe(false);
  });

  it('GIVEN the schema THEN spec fields carry descriptions and defaults for completion', () => {
    const rules = schema.allOf as {
      then: { properties: { spec: { properties: Record<string, { description?: string }> } } };
    }[];
    const ecs = rules[0]?.then.properties.spec.properties;
    expect(ecs?.cpu).toMatchObject({ default: 1024 });
    expect(ecs?.cpu?.description).toContain('CPU units');
  });
});
