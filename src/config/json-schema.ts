/**
 * The JSON Schema editors use to complete and check deployment_config.yaml. Built from the same
 * zod schemas that validate, with one `if target == X then spec is X's spec` rule per target.
 */
import { z } from 'zod';
import { specJsonSchema } from '../targets/describe-spec.js';
import { listTargets } from '../targets/registry.js';
import { deploymentConfigSchema } from './schema.js';

export function configJsonSchema(): Record<string, unknown> {
  const base = z.toJSONSchema(deploymentConfigSchema, { io: 'input', unrepresentable: 'any' });
  const { $schema, ...rest } = base as Record<string, unknown>;
  return {
    $schema,
    $comment: 'Generated from src/config/schema.ts by `npm run schema`; do not edit.',
    title: 'bentoctl deployment config',
    ...rest,
    allOf: listTargets().map((target) => {
      const { $schema: _drop, ...spec } = specJsonSchema(target);
      return {
        if: { properties: { target: { const: target.name } }, required: ['target'] },
        then: { properties: { spec: { ...spec, description: `${target.name} spec: ${target.summary}` } } },
      };
    }),
  };
}
