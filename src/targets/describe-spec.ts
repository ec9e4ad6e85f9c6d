/**
 * A flat, printable description of a target's spec fields (name, type, default, description),
 * read from the JSON Schema the spec schema exports, so docs, `targets show` and `init` can
 * never disagree with validation.
 */
import { z } from 'zod';
import type { TargetDefinition } from './target.js';

export interface SpecField {
  /** Dotted name below `spec`, e.g. `gpu.type`. */
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
  /** The default value, when the schema has a fixed one. */
  readonly default?: unknown;
  /** How the default is computed, when it is not a fixed value (`a new VPC is created`). */
  readonly defaultNote?: string;
  readonly description: string;
  /** The allowed values, when the field is an enumeration. */
  readonly values: readonly (string | number)[] | null;
}

interface JsonSchemaNode {
  type?: string | string[];
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  default?: unknown;
  description?: string;
  enum?: (string | number)[];
  const?: string | number;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  minimum?: number;
  maximum?: number;
}

/** The JSON Schema of a spec as a user writes it (defaults not applied). */
export function specJsonSchema(target: TargetDefinition): Record<string, unknown> {
  return z.toJSONSchema(target.specSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}

export function describeSpec(target: TargetDefinition): SpecField[] {
  return flatten(specJsonSchema(target) as JsonSchemaNode, '');
}

function flatten(node: JsonSchemaNode, prefix: string): SpecField[] {
  const fields: SpecField[] = [];
  const required = new Set(node.required ?? []);
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    const { text, computedDefault } = splitDefault(child.description ?? '');
    fields.push({
      name,
      type: typeName(child),
      required: required.has(key),
      ...(child.default !== undefined ? { default: child.default } : {}),
      ...(computedDefault !== null ? { defaultNote: computedDefault } : {}),
      description: text,
      values: child.enum ?? (child.const !== undefined ? [child.const] : null),
    });
    if (child.properties) fields.push(...flatten(child, name));
  }
  return fields;
}

/** Descriptions carry computed defaults as `@default - <sentence>`, aws-cdk style. */
function splitDefault(description: string): { text: string; computedDefault: string | null } {
  const at = description.indexOf('@default');
  if (at < 0) return { text: description, computedDefault: null };
  const sentence = description.slice(at + '@default'.length).replace(/^\s*-?\s*/, '');
  return { text: description.slice(0, at).trim(), computedDefault: sentence };
}

function typeName(node: JsonSchemaNode): string {
  if (node.enum) return 'enum';
  if (node.anyOf) return node.anyOf.map(typeName).join(' | ');
  const type = Array.isArray(node.type) ? node.type.join(' | ') : (node.type ?? 'any');
  if (type === 'array' && node.items) return `list of ${typeName(node.items)}`;
  if (type === 'object' && !node.properties) return 'map';
  return type;
}
