/**
 * `${VAR}` interpolation in string values, done on the YAML document itself so that errors
 * still point at the line the variable is written on. `${VAR:-default}` gives a fallback and
 * `$${` writes a literal `${`. A value that is one whole reference is typed later by the schema
 * (typed-references.ts): `port: ${PORT}` and `{ port: "${PORT}" }` both read as a number.
 */
import { isPair, isScalar, isSeq, visit, type Document } from 'yaml';
import { formatPath } from './zod-diagnostics.js';

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{([^}]*)\}?/g;

/** A `${...}` that could not be filled, and where it is (byte offset in the source). */
export interface UnresolvedReference {
  readonly name: string;
  readonly offset: number;
  /** Dotted path of the field the reference is written in. */
  readonly field: string;
  readonly reason: 'unset' | 'malformed';
}

/** A scalar that was exactly one `${VAR}`: the schema decides whether it is a number. */
export interface WholeReference {
  /** Where the value sits in the document's data (`['runtime', 'port']`). */
  readonly path: readonly (string | number)[];
  readonly value: string;
}

export interface Interpolation {
  readonly unresolved: readonly UnresolvedReference[];
  readonly whole: readonly WholeReference[];
}

/** Fills `${VAR}` references in every string scalar of `document` from `env`, in place. */
export function interpolateDocument(
  document: Document,
  env: Readonly<Record<string, string | undefined>>,
): Interpolation {
  const unresolved: UnresolvedReference[] = [];
  const wholeReferences: WholeReference[] = [];
  visit(document, {
    Scalar(key, node, ancestors) {
      if (typeof node.value !== 'string' || !node.value.includes('$')) return;
      // Keys are not interpolated: a key that looks like a reference is just a key.
      if (key === 'key') return;
      const offset = node.range?.[0] ?? 0;
      const path = dataPath(ancestors, node);
      const field = formatPath(path);
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
      node.value = filled;
      if (whole) wholeReferences.push({ path, value: filled });
    },
  });
  return { unresolved, whole: wholeReferences };
}

/** `['spec', 'allowed_cidrs', 0]` for a scalar, from its ancestors in the tree. */
function dataPath(ancestors: readonly unknown[], node: unknown): (string | number)[] {
  const out: (string | number)[] = [];
  const chain = [...ancestors, node];
  for (let i = 0; i < chain.length; i++) {
    const current = chain[i];
    if (isPair(current) && isScalar(current.key)) out.push(String(current.key.value));
    else if (isSeq(current)) {
      const index = current.items.indexOf(chain[i + 1] as never);
      if (index >= 0) out.push(index);
    }
  }
  return out;
}
