/**
 * The JSON Schema editors use to complete and check deployment_config.yaml. Built from the same
 * zod schemas that validate, with one `if target == X then spec is X's spec` rule per target.
 */
import { z } from 'zod';
import { specJsonSchema } from '../targets/describe-spec.js';
import { listTargets } from '../targets/registry.js';
import { deploymentConfigSchema } from './schema.js';
import { isPlainObject } from './plain-object.js';

const INTERPOLATION_REF = '#/$defs/interpolation';
const SCALAR_TYPES = new Set(['string', 'number', 'integer', 'boolean']);

export function configJsonSchema(): Record<string, unknown> {
  const base = z.toJSONSchema(deploymentConfigSchema, { io: 'input', unrepresentable: 'any' });
  const { $schema, ...rest } = base as Record<string, unknown>;
  return {
    $schema,
    $comment: 'Generated from src/config/schema.ts by `npm run schema`; do not edit.',
    title: 'bentoctl deployment config',
    ...allowInterpolation(rest),
    allOf: listTargets().map((target) => {
      const { $schema: _schemaUri, ...spec } = specJsonSchema(target);
      return {
        if: { properties: { target: { const: target.name } }, required: ['target'] },
        then: {
          properties: {
            spec: {
              ...allowInterpolation(spec),
              description: `${target.name} spec: ${target.summary}`,
            },
          },
        },
      };
    }),
    $defs: {
      interpolation: {
        type: 'string',
        pattern: '\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}',
        description:
          'Filled from the environment when bentoctl loads the file: ${VAR} or ${VAR:-default}.',
      },
    },
  };
}

/**
 * The editor sees the file before `${VAR}` is filled, so every scalar field also accepts a
 * string holding a reference; otherwise `bucket: ${TF_STATE_BUCKET}` would be flagged.
 * Descriptions and defaults stay on the outer node, where editors look for them.
 */
function allowInterpolation(node: unknown): Record<string, unknown> {
  const schema = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && isPlainObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [name, allowInterpolation(child)]),
      );
    } else if ((key === 'items' || key === 'additionalProperties') && isPlainObject(value)) {
      out[key] = allowInterpolation(value);
    } else if ((key === 'oneOf' || key === 'anyOf') && Array.isArray(value)) {
      out[key] = value.map((child) => allowInterpolation(child));
    } else {
      out[key] = value;
    }
  }
  if (typeof out.type !== 'string' || !SCALAR_TYPES.has(out.type)) return out;
  const { description, default: defaultValue, ...scalar } = out;
  return {
    ...(description === undefined ? {} : { description }),
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
    anyOf: [scalar, { $ref: INTERPOLATION_REF }],
  };
}
