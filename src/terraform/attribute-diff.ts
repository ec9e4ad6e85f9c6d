/**
 * The attributes an update (or replace) changes, leaf by leaf, as `path: before → after`.
 * Sensitive values are never printed (`(sensitive)`), values Terraform learns only during apply
 * read `(known after apply)`, and attributes holding JSON documents (an ECS task's
 * container_definitions, IAM policies) are compared inside the document.
 */
import type { JsonValue, PlanChange, ValueMask } from './plan-json.js';

export const SENSITIVE = '(sensitive)';
export const KNOWN_AFTER_APPLY = '(known after apply)';
/**
 * Longer rendered values are cut in the middle: a PR comment must stay readable, and the end of
 * a value (an image digest, a revision number) is as telling as its start.
 */
const MAX_VALUE_LENGTH = 120;
/** Sensitive strings shorter than this are not searched for in other attributes. */
const MIN_MASKED_LENGTH = 4;

export interface AttributeChange {
  /** Dotted path with list indices, e.g. `template[0].containers[0].image`. */
  readonly path: string;
  readonly before: string;
  readonly after: string;
  /** Terraform listed this path in replace_paths. */
  readonly forcesReplacement: boolean;
}

type Path = readonly (string | number)[];

/** Every leaf attribute that differs between `before` and `after`, in document order. */
export function diffAttributes(change: PlanChange): AttributeChange[] {
  const found: { path: Path; before: string; after: string }[] = [];
  walk(
    [],
    {
      before: change.before,
      after: change.after,
      beforeSensitive: change.before_sensitive ?? false,
      afterSensitive: change.after_sensitive ?? false,
      unknown: change.after_unknown ?? false,
    },
    (path, before, after) => found.push({ path, before, after }),
  );
  const replacePaths = change.replace_paths ?? [];
  const secrets = sensitiveStrings(change);
  const display = (text: string) => shorten(redact(text, secrets));
  return found.map(({ path, before, after }) => ({
    path: formatPath(path),
    before: display(before),
    after: display(after),
    forcesReplacement: replacePaths.some((replacePath) => isPrefix(replacePath, path)),
  }));
}

interface Node {
  readonly before: JsonValue | undefined;
  readonly after: JsonValue | undefined;
  readonly beforeSensitive: ValueMask | undefined;
  readonly afterSensitive: ValueMask | undefined;
  readonly unknown: ValueMask | undefined;
}

type Emit = (path: Path, before: string, after: string) => void;

function walk(path: Path, node: Node, emit: Emit): void {
  const beforeText = () =>
    hasTrue(node.beforeSensitive) ? SENSITIVE : stringifyValue(node.before);
  if (node.unknown === true) {
    emit(path, beforeText(), KNOWN_AFTER_APPLY);
    return;
  }
  if (node.beforeSensitive === true || node.afterSensitive === true) {
    const same =
      node.beforeSensitive === node.afterSensitive &&
      deepEqual(node.before ?? null, node.after ?? null);
    if (!same)
      emit(
        path,
        beforeText(),
        node.afterSensitive === true ? SENSITIVE : stringifyValue(node.after),
      );
    return;
  }
  const keys = childKeys(node);
  if (keys !== undefined) {
    for (const key of keys) walk([...path, key], child(node, key), emit);
    return;
  }
  const documents = parseJsonDocuments(node.before, node.after);
  if (documents !== undefined) {
    walk(
      path,
      { ...documents, beforeSensitive: false, afterSensitive: false, unknown: false },
      emit,
    );
    return;
  }
  if (!deepEqual(node.before ?? null, node.after ?? null)) {
    emit(path, beforeText(), hasTrue(node.afterSensitive) ? SENSITIVE : stringifyValue(node.after));
  }
}

/**
 * The keys to descend into, or undefined for a leaf. Descending needs containers of one kind on
 * both sides (or a non-empty one facing null); an empty container facing a scalar is a leaf so
 * that `{} → null` still shows up.
 */
function childKeys(node: Node): (string | number)[] | undefined {
  const { before, after } = node;
  const kind = (value: JsonValue | undefined) =>
    Array.isArray(value)
      ? 'list'
      : isRecord(value)
        ? 'map'
        : value === null || value === undefined
          ? 'none'
          : 'scalar';
  const [left, right] = [kind(before), kind(after)];
  const unknownKind = Array.isArray(node.unknown)
    ? 'list'
    : isRecord(node.unknown)
      ? 'map'
      : 'none';
  const containerKind = left !== 'none' ? left : right !== 'none' ? right : unknownKind;
  if (containerKind !== 'list' && containerKind !== 'map') return undefined;
  if ((left !== containerKind && left !== 'none') || (right !== containerKind && right !== 'none'))
    return undefined;
  const hasEntries = (value: JsonValue | undefined) => sizeOf(value) > 0;
  if (
    (left === 'none' || right === 'none') &&
    !hasEntries(before) &&
    !hasEntries(after) &&
    unknownKind === 'none'
  ) {
    return undefined;
  }
  if (containerKind === 'list') {
    const length = Math.max(
      sizeOf(before),
      sizeOf(after),
      Array.isArray(node.unknown) ? node.unknown.length : 0,
    );
    return Array.from({ length }, (_, index) => index);
  }
  const names = new Set<string>();
  for (const value of [before, after, node.unknown])
    if (isRecord(value)) for (const key of Object.keys(value)) names.add(key);
  return [...names];
}

function child(node: Node, key: string | number): Node {
  return {
    before: member(node.before, key),
    after: member(node.after, key),
    beforeSensitive: member(node.beforeSensitive, key),
    afterSensitive: member(node.afterSensitive, key),
    unknown: member(node.unknown, key),
  };
}

function member(value: JsonValue | undefined, key: string | number): JsonValue | undefined {
  if (typeof key === 'number') return Array.isArray(value) ? value[key] : undefined;
  return isRecord(value) ? value[key] : undefined;
}

function sizeOf(value: JsonValue | undefined): number {
  if (Array.isArray(value)) return value.length;
  return isRecord(value) ? Object.keys(value).length : 0;
}

/** Both sides are strings holding JSON objects or lists (policies, container definitions). */
function parseJsonDocuments(
  before: JsonValue | undefined,
  after: JsonValue | undefined,
): { before: JsonValue; after: JsonValue } | undefined {
  if (typeof before !== 'string' || typeof after !== 'string' || before === after) return undefined;
  const parse = (text: string): JsonValue | undefined => {
    if (!/^\s*[[{]/.test(text)) return undefined;
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      return undefined;
    }
  };
  const [left, right] = [parse(before), parse(after)];
  return left === undefined || right === undefined ? undefined : { before: left, after: right };
}

/** A mask marks something somewhere below it. */
function hasTrue(mask: ValueMask | undefined): boolean {
  if (mask === true) return true;
  if (Array.isArray(mask)) return mask.some(hasTrue);
  return isRecord(mask) && Object.values(mask).some(hasTrue);
}

/** A value as one short line: strings quoted, containers as compact JSON. */
export function renderValue(value: JsonValue | undefined): string {
  return shorten(stringifyValue(value));
}

function stringifyValue(value: JsonValue | undefined): string {
  return value === undefined ? 'null' : JSON.stringify(value);
}

function shorten(text: string): string {
  if (text.length <= MAX_VALUE_LENGTH) return text;
  const head = Math.ceil((MAX_VALUE_LENGTH - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (MAX_VALUE_LENGTH - 1 - head))}`;
}

/**
 * Strings a resource marks sensitive anywhere. Providers sometimes copy a sensitive value into
 * an attribute the plan does not mark (terraform_data's `output` mirrors its `input`), so these
 * strings are masked wherever they appear in the resource's rendered values. Very short values
 * are left alone: masking every "1" or "true" would hide the whole diff.
 */
function sensitiveStrings(change: PlanChange): string[] {
  const found = new Set<string>();
  const collect = (value: JsonValue | undefined, mask: ValueMask | undefined): void => {
    if (mask === true) {
      forEachString(value, (text) => {
        if (text.length >= MIN_MASKED_LENGTH) found.add(text);
      });
      return;
    }
    if (Array.isArray(mask)) mask.forEach((child, index) => collect(member(value, index), child));
    else if (isRecord(mask))
      for (const [key, child] of Object.entries(mask)) collect(member(value, key), child);
  };
  collect(change.before, change.before_sensitive);
  collect(change.after, change.after_sensitive);
  // Longest first, so a secret that contains another is masked whole.
  return [...found].sort((a, b) => b.length - a.length);
}

function forEachString(value: JsonValue | undefined, visit: (text: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) for (const item of value) forEachString(item, visit);
  else if (isRecord(value)) for (const item of Object.values(value)) forEachString(item, visit);
}

function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    // Values are rendered as JSON, so a secret appears with JSON escaping.
    const escaped = JSON.stringify(secret).slice(1, -1);
    result = result.replaceAll(`"${escaped}"`, SENSITIVE).replaceAll(escaped, SENSITIVE);
  }
  return result;
}

/** `a.b[0]["key.with.dots"]`: identifiers dotted, indices in brackets, other keys quoted. */
export function formatPath(path: Path): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) text += text === '' ? key : `.${key}`;
    else text += `[${JSON.stringify(key)}]`;
  }
  return text;
}

function isPrefix(prefix: Path, path: Path): boolean {
  return (
    prefix.length <= path.length &&
    prefix.every((key, index) => String(key) === String(path[index]))
  );
}

function isRecord(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, index) => deepEqual(item, b[index] ?? null))
    );
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((key) => deepEqual(a[key] ?? null, b[key] ?? null));
  }
  return false;
}
