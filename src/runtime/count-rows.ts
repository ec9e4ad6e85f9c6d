/**
 * Counts the rows of a `POST /<api>` body (or, for `POST /v2/models/<model>/infer`, the first
 * dimension each input's `shape` declares) from its bytes, without parsing it, so a body with more
 * rows than the queue holds is refused before JSON.parse spends 50-100 ms on it (4 MB). Exact for
 * every legal body: a row is an element of an input's outermost array, which is what the decoder
 * takes as the first dimension, so a legal request is refused here only if the batcher would have
 * refused it after parsing. A size bound skips the scan for bodies too small to hold that many
 * rows (every small request).
 */
import type { TensorSpec } from '../bento/signature.js';

/** Rows per key of a body: a bare list (one-input models) or an object keyed by input name. */
export type BodyRows =
  | { readonly kind: 'list'; readonly rows: number }
  | { readonly kind: 'object'; readonly rows: ReadonlyMap<string, number> };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_LIST = 0x5b;
const CLOSE_LIST = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * The fewest bytes of JSON that `rows` rows of these inputs take: each element is at least one
 * byte and a separator. So a body of `bytes` can carry at most `maxRowsInBytes` rows.
 */
export function maxRowsInBytes(bytes: number, inputs: readonly TensorSpec[]): number {
  let perRow = 0;
  for (const input of inputs) {
    let elements = 1;
    for (const dim of input.dims.slice(1)) elements *= dim ?? 1;
    perRow += 2 * elements;
  }
  // R rows of input i take at least 2 R E_i - 1 bytes (the last element has no separator).
  return Math.floor((bytes + inputs.length) / Math.max(1, perRow));
}

/**
 * The rows of each input in the body, or undefined when the bytes do not have the form of a
 * body (then parsing reports what is wrong). Values that are not lists are left out (the
 * decoder refuses them); of a key given twice, the last counts, as in JSON.parse.
 */
export function countBodyRows(bytes: Uint8Array): BodyRows | undefined {
  const at = skipSpace(bytes, 0);
  if (bytes[at] === OPEN_LIST) {
    const list = scanComposite(bytes, at);
    return list === undefined ? undefined : { kind: 'list', rows: list.elements };
  }
  if (bytes[at] !== OPEN_OBJECT) return undefined;
  const rows = new Map<string, number>();
  const end = forEachEntry(bytes, at, (key, valueStart, _valueEnd, elements) => {
    if (bytes[valueStart] === OPEN_LIST) rows.set(key, elements);
    else rows.delete(key);
  });
  return end === undefined ? undefined : { kind: 'object', rows };
}

/**
 * The largest first dimension an input of a `POST /v2/models/<model>/infer` body declares
 * (`inputs[i].shape[0]`), read from the bytes; 0 when none does, undefined when the bytes do
 * not have the form of a body. Of a key given twice, the last counts, as in JSON.parse.
 */
export function countV2Rows(bytes: Uint8Array): number | undefined {
  const start = skipSpace(bytes, 0);
  if (bytes[start] !== OPEN_OBJECT) return undefined;
  let inputs: readonly [number, number] | undefined;
  const end = forEachEntry(bytes, start, (key, valueStart, valueEnd) => {
    if (key === 'inputs')
      inputs = bytes[valueStart] === OPEN_LIST ? [valueStart, valueEnd] : undefined;
  });
  if (end === undefined) return undefined;
  if (inputs === undefined) return 0;
  let most = 0;
  const listed = forEachElement(bytes, inputs[0], (elementStart) => {
    if (bytes[elementStart] !== OPEN_OBJECT) return;
    let first = 0;
    forEachEntry(bytes, elementStart, (key, valueStart) => {
      if (key !== 'shape') return;
      first = 0;
      if (bytes[valueStart] !== OPEN_LIST) return;
      let index = 0;
      forEachElement(bytes, valueStart, (dimStart, dimEnd) => {
        if (index++ === 0) first = numberAt(bytes, dimStart, dimEnd);
      });
    });
    most = Math.max(most, first);
  });
  return listed === undefined ? undefined : most;
}

/** The most rows any input of `inputs` has in `counted` (0 when none is a list). */
export function mostRows(counted: BodyRows, inputs: readonly TensorSpec[]): number {
  if (counted.kind === 'list') return inputs.length === 1 ? counted.rows : 0;
  let most = 0;
  for (const input of inputs) most = Math.max(most, counted.rows.get(input.name) ?? 0);
  return most;
}

/**
 * Calls `visit` with each key of the object opening at `start`, its value's span and, for a
 * list or object value, its elements (0 for other values: the one scan counts them, so a 4 MB
 * list is read once); returns the index just past the object, or undefined when the bytes are
 * not an object.
 */
function forEachEntry(
  bytes: Uint8Array,
  start: number,
  visit: (key: string, valueStart: number, valueEnd: number, elements: number) => void,
): number | undefined {
  let at = skipSpace(bytes, start + 1);
  if (bytes[at] === CLOSE_OBJECT) return at + 1;
  for (;;) {
    if (bytes[at] !== QUOTE) return undefined;
    const keyEnd = skipString(bytes, at);
    if (keyEnd === undefined) return undefined;
    const key = decodeKey(bytes, at, keyEnd);
    if (key === undefined) return undefined;
    at = skipSpace(bytes, keyEnd);
    if (bytes[at] !== COLON) return undefined;
    const valueStart = skipSpace(bytes, at + 1);
    const first = bytes[valueStart];
    let valueEnd: number | undefined;
    let elements = 0;
    if (first === OPEN_LIST || first === OPEN_OBJECT) {
      const composite = scanComposite(bytes, valueStart);
      valueEnd = composite?.end;
      elements = composite?.elements ?? 0;
    } else {
      valueEnd = skipScalar(bytes, valueStart);
    }
    if (valueEnd === undefined) return undefined;
    visit(key, valueStart, valueEnd, elements);
    at = skipSpace(bytes, valueEnd);
    if (bytes[at] === COMMA) at = skipSpace(bytes, at + 1);
    else if (bytes[at] === CLOSE_OBJECT) return at + 1;
    else return undefined;
  }
}

/** Calls `visit` with the span of each element of the list opening at `start`. */
function forEachElement(
  bytes: Uint8Array,
  start: number,
  visit: (elementStart: number, elementEnd: number) => void,
): number | undefined {
  let at = skipSpace(bytes, start + 1);
  if (bytes[at] === CLOSE_LIST) return at + 1;
  for (;;) {
    const end = skipValue(bytes, at);
    if (end === undefined) return undefined;
    visit(at, end);
    at = skipSpace(bytes, end);
    if (bytes[at] === COMMA) at = skipSpace(bytes, at + 1);
    else if (bytes[at] === CLOSE_LIST) return at + 1;
    else return undefined;
  }
}

function skipValue(bytes: Uint8Array, start: number): number | undefined {
  const first = bytes[start];
  return first === OPEN_LIST || first === OPEN_OBJECT
    ? scanComposite(bytes, start)?.end
    : skipScalar(bytes, start);
}

/** A JSON number between two indexes, 0 when it is not one. */
function numberAt(bytes: Uint8Array, start: number, end: number): number {
  const value = Number(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString());
  return Number.isFinite(value) ? value : 0;
}

/**
 * From an opening bracket or brace to just past its match: the elements of its outermost
 * level (top-level commas + 1, or 0 when empty). Strings are skipped whole, so brackets and
 * commas inside them do not count.
 */
function scanComposite(
  bytes: Uint8Array,
  start: number,
): { readonly elements: number; readonly end: number } | undefined {
  let depth = 0;
  let commas = 0;
  let empty = true;
  const length = bytes.length;
  for (let at = start; at < length; at += 1) {
    const byte = bytes[at] as number;
    if (byte === QUOTE) {
      const end = skipString(bytes, at);
      if (end === undefined) return undefined;
      if (depth === 1) empty = false;
      at = end - 1;
    } else if (byte === OPEN_LIST || byte === OPEN_OBJECT) {
      if (depth === 1) empty = false;
      depth += 1;
    } else if (byte === CLOSE_LIST || byte === CLOSE_OBJECT) {
      depth -= 1;
      if (depth === 0) return { elements: empty ? 0 : commas + 1, end: at + 1 };
    } else if (depth === 1) {
      if (byte === COMMA) commas += 1;
      else if (byte > 0x20) empty = false;
    }
  }
  return undefined;
}

/** From an opening quote to just past the closing one. */
function skipString(bytes: Uint8Array, start: number): number | undefined {
  const length = bytes.length;
  for (let at = start + 1; at < length; at += 1) {
    const byte = bytes[at];
    if (byte === BACKSLASH) at += 1;
    else if (byte === QUOTE) return at + 1;
  }
  return undefined;
}

/** A string, number, true, false or null: up to the next separator. */
function skipScalar(bytes: Uint8Array, start: number): number | undefined {
  if (bytes[start] === QUOTE) return skipString(bytes, start);
  let at = start;
  while (at < bytes.length) {
    const byte = bytes[at];
    if (
      byte === COMMA ||
      byte === CLOSE_OBJECT ||
      byte === CLOSE_LIST ||
      byte === 0x20 ||
      byte === 0x0a
    )
      return at === start ? undefined : at;
    if (byte === 0x09 || byte === 0x0d) return at === start ? undefined : at;
    at += 1;
  }
  return undefined;
}

function skipSpace(bytes: Uint8Array, start: number): number {
  let at = start;
  for (;;) {
    const byte = bytes[at];
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return at;
    at += 1;
  }
}

/** A key as JSON.parse would read it (escapes included). */
function decodeKey(bytes: Uint8Array, start: number, end: number): string | undefined {
  try {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8');
    return JSON.parse(text) as string;
  } catch {
    return undefined;
  }
}
