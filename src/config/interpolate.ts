/**
 * `${VAR}` interpolation in string values, done on the YAML document itself so that errors
 * still point at the line the variable is written on. `${VAR:-default}` gives a fallback and
 * `$${` writes a literal `${`.
 */
import { isPair, isScalar, isSeq, Scalar, visit, type Document } from 'yaml';

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{([^}]*)\}?/g;

/** A `${...}` that could not be filled, and where it is (byte offset in the source). */
export interface UnresolvedReference {
  readonly name: string;
  readonly offset: number;
  /** Dotted path of the field the reference is written in. */
  readonly field: string;
  readonly reason: 'unset' | 'malformed';
}

/** Fills `${VAR}` references in every string scalar of `document` from `env`, in place. */
export function interpolateDocument(
  document: Document,
  env: Readonly<Record<string, string | undefined>>,
): UnresolvedReference[] {
  const unresolved: UnresolvedReference[] = [];
  visit(document, {
    Scalar(key, node, ancestors) {
      if (typeof node.value !== 'string' || !node.value.includes('$')) return;
      // Keys are not interpolated: a key that looks like a reference is just a key.
      if (key === 'key') return;
      const offset = node.range?.[0] ?? 0;
      const field = fieldPath(ancestors, node);
      const original = node.value;
      let whole = false;
      const filled = original.replace(
        REFERENCE,
        (
          match,
          name: string | undefined,
          fallback: string | undefined,
          bad: string | undefined,
        ) => {
          if (match === '$${') return '${';
          if (name === undefined) {
            unresolved.push({ name: bad ?? match, offset, field, reason: 'malformed' });
            return match;
          }
          whole = match === original;
          const value = env[name];
          if (value !== undefined && value !== '') return value;
          if (fallback !== undefined) return fallback;
          unresolved.push({ name, offset, field, reason: 'unset' });
          return match;
        },
      );
      node.value = whole && node.type === Scalar.PLAIN ? retype(filled) : filled;
    },
  });
  return unresolved;
}

/**
 * An unquoted `port: ${PORT}` should read as the number YAML would have read, the way shells
 * and compose files behave; a quoted one stays a string.
 */
function retype(value: string): string | number | boolean {
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}

/** `runtime.port` or `spec.allowed_cidrs[0]` for a scalar, from its ancestors in the tree. */
function fieldPath(ancestors: readonly unknown[], node: unknown): string {
  let out = '';
  const chain = [...ancestors, node];
  for (let i = 0; i < chain.length; i++) {
    const current = chain[i];
    if (isPair(current) && isScalar(current.key)) {
      out += `${out === '' ? '' : '.'}${String(current.key.value)}`;
    } else if (isSeq(current)) {
      const index = current.items.indexOf(chain[i + 1] as never);
      if (index >= 0) out += `[${index}]`;
    }
  }
  return out;
}
