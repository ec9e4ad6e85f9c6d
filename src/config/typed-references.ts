/**
 * Types the values of whole `${VAR}` references by what the schema expects there. Environment
 * variables are strings, and YAML cannot say more: in a flow mapping the reference must be
 * quoted (`{ max_batch_size: "${MBS}" }`), which makes it a string to YAML. So a reference
 * alone in its value is read as a number or a boolean exactly where the schema asks for one,
 * and stays a string everywhere else (`env: { BUILD: "${BUILD_ID}" }` keeps `0042`).
 */
import type { z } from 'zod';
import type { WholeReference } from './interpolate.js';

type Path = readonly PropertyKey[];
type Expected = 'number' | 'boolean';

/** Parses `data` with `schema`, retyping whole references the schema wants as numbers/booleans. */
export function parseWithTypedReferences<Schema extends z.ZodType>(
  schema: Schema,
  data: unknown,
  references: readonly WholeReference[],
  basePath: Path = [],
): { readonly data: unknown; readonly result: z.ZodSafeParseResult<z.output<Schema>> } {
  let current = data;
  // Each pass retypes what the last one reported; nested unions can reveal more in a later pass.
  for (let pass = 0; ; pass++) {
    const result = schema.safeParse(current);
    if (result.success || pass === 4) return { data: current, result };
    let changed = false;
    for (const { path, expected } of expectations(result.error.issues, [])) {
      const full = [...basePath, ...path];
      const reference = references.find((candidate) => samePath(candidate.path, full));
      if (reference === undefined) continue;
      const typed = retype(reference.value, expected);
      if (typed === undefined || valueAt(current, path) === typed) continue;
      current = withValueAt(current, path, typed);
      changed = true;
    }
    if (!changed) return { data: current, result };
  }
}

/** Where the schema wanted a number or a boolean, including inside union branches. */
function expectations(
  issues: readonly z.core.$ZodIssue[],
  prefix: Path,
): { path: Path; expected: Expected }[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_type') {
      const expected = issue.expected as string;
      if (expected === 'number' || expected === 'boolean') return [{ path, expected }];
    }
    // A set of allowed values (`cpu: 256 | 512 | ...`): typed when they all are numbers or booleans.
    if (issue.code === 'invalid_value') {
      if (issue.values.length > 0 && issue.values.every((value) => typeof value === 'number'))
        return [{ path, expected: 'number' as const }];
      if (issue.values.length > 0 && issue.values.every((value) => typeof value === 'boolean'))
        return [{ path, expected: 'boolean' as const }];
    }
    if (issue.code === 'invalid_union')
      return issue.errors.flatMap((branch) => expectations(branch, path));
    return [];
  });
}

function retype(value: string, expected: Expected): number | boolean | undefined {
  const text = value.trim();
  if (expected === 'boolean') return text === 'true' ? true : text === 'false' ? false : undefined;
  return /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text) ? Number(text) : undefined;
}

function samePath(a: Path, b: Path): boolean {
  return a.length === b.length && a.every((segment, i) => String(segment) === String(b[i]));
}

function valueAt(data: unknown, path: Path): unknown {
  let value = data;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

/** A copy of `data` with `value` at `path` (the document's own data is never mutated). */
function withValueAt(data: unknown, path: Path, value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (Array.isArray(data)) {
    const copy = [...data];
    copy[Number(head)] = withValueAt(copy[Number(head)], rest, value);
    return copy;
  }
  const record = (typeof data === 'object' && data !== null ? data : {}) as Record<
    PropertyKey,
    unknown
  >;
  return { ...record, [head]: withValueAt(record[head], rest, value) };
}
