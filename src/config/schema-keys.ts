/**
 * Finds the keys a mapping may have at a path of a zod schema, for "did you mean" on unknown
 * keys. Zod exposes its structure through `_zod.def`; only the shapes our schemas use are read.
 */
import type { z } from 'zod';
import { isPlainObject } from './plain-object.js';

interface Def {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly options?: readonly z.ZodType[];
  readonly discriminator?: string;
  readonly valueType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly in?: z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Strips optional/default/prefault/pipe wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (inner === undefined) return current;
    current = inner;
  }
}

/** The object schema at `path`, choosing union branches by the data's discriminator. */
export function objectKeysAt(
  schema: z.ZodType,
  path: readonly PropertyKey[],
  data: unknown,
): string[] {
  let node: z.ZodType | undefined = schema;
  let value = data;
  for (let i = 0; i <= path.length && node !== undefined; i++) {
    const def = defOf(unwrap(node));
    if (def.type === 'union' && def.discriminator !== undefined && isPlainObject(value)) {
      const tag = value[def.discriminator];
      node = def.options?.find((option) => {
        const shape = defOf(unwrap(option)).shape;
        const literal = shape?.[def.discriminator ?? ''];
        return literal !== undefined && literalValues(literal).includes(tag);
      });
      i--;
      continue;
    }
    if (i === path.length) return def.shape ? Object.keys(def.shape) : [];
    const segment = path[i];
    value = isPlainObject(value) ? value[String(segment)] : undefined;
    if (def.shape) node = def.shape[String(segment)];
    else if (def.valueType) node = def.valueType;
    else if (def.element) node = def.element;
    else node = undefined;
  }
  return [];
}

function literalValues(schema: z.ZodType): unknown[] {
  const def = defOf(unwrap(schema)) as Def & { values?: unknown[] };
  return def.values ?? [];
}
