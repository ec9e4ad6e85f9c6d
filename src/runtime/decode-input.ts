/**
 * Turns request JSON into host tensors, checking everything the model would otherwise choke on
 * (names, element types, rank, dims, ragged arrays, non-finite and out-of-range values) and
 * naming the exact element at fault, so bad input is a 400 and never reaches onnxruntime.
 */
import type { TensorSpec } from '../bento/signature.js';
import { formatDims } from '../bento/signature.js';
import { HttpError } from './http-errors.js';
import { DTYPES, elementCount, type HostTensor, type TensorData } from './tensor.js';

/** Writes JSON leaf values into a typed array, refusing what does not fit the element type. */
export class LeafWriter {
  private readonly info;
  constructor(
    private readonly spec: TensorSpec,
    private readonly data: TensorData,
  ) {
    this.info = DTYPES[spec.dtype];
  }

  write(index: number, value: unknown, where: () => string): void {
    const { info } = this;
    if (info.kind === 'bool') {
      if (typeof value !== 'boolean') throw this.wrongType(value, where);
      (this.data as Uint8Array)[index] = value ? 1 : 0;
      return;
    }
    if (typeof value !== 'number') throw this.wrongType(value, where);
    if (!Number.isFinite(value)) {
      throw new HttpError(
        'NON_FINITE_VALUE',
        `${where()} is ${String(value)}; ${this.spec.dtype} needs a finite number`,
      );
    }
    if (info.kind === 'float') {
      if (value > info.max || value < info.min) {
        throw new HttpError(
          'NON_FINITE_VALUE',
          `${where()} = ${value} overflows ${this.spec.dtype} (largest magnitude ${info.max})`,
        );
      }
      (this.data as Float32Array)[index] = value;
      return;
    }
    if (!Number.isInteger(value)) {
      throw new HttpError(
        'WRONG_DTYPE',
        `${where()} = ${value} is not an integer; "${this.spec.name}" is ${this.spec.dtype}`,
      );
    }
    if (value > info.max || value < info.min) {
      throw new HttpError(
        'VALUE_OUT_OF_RANGE',
        `${where()} = ${value} is outside ${this.spec.dtype} (${info.min} to ${info.max})`,
      );
    }
    if (info.kind === 'bigint') (this.data as BigInt64Array)[index] = BigInt(value);
    else (this.data as Int32Array)[index] = value;
  }

  private wrongType(value: unknown, where: () => string): HttpError {
    const expected =
      this.info.kind === 'bool'
        ? 'true or false'
        : this.info.kind === 'float'
          ? 'a number'
          : 'an integer';
    const got =
      value === null
        ? 'null'
        : Array.isArray(value)
          ? 'a list'
          : typeof value === 'object'
            ? 'an object'
            : typeof value === 'string'
              ? `the string ${truncate(JSON.stringify(value))}`
              : `${typeof value} ${truncate(JSON.stringify(value))}`;
    const hint =
      typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))
        ? ' (write numbers without quotes)'
        : '';
    return new HttpError(
      'WRONG_DTYPE',
      `${where()} is ${got}; "${this.spec.name}" is ${this.spec.dtype}, so each value must be ${expected}${hint}`,
    );
  }
}

/**
 * Decodes nested arrays for one input. `maxElements` bounds the allocation (the body size is a
 * safe bound: every element costs at least one byte of JSON), so a ragged body cannot make the
 * server allocate more than it received.
 */
export function decodeNested(value: unknown, spec: TensorSpec, maxElements: number): HostTensor {
  const rank = spec.dims.length;
  const label = spec.name;
  // Probe the shape along the first elements, then check every array against it while filling.
  const shape: number[] = [];
  let probe: unknown = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  if (shape.length !== rank && !(shape.length < rank && shape.at(-1) === 0)) {
    if (rank === 0)
      throw new HttpError(
        'WRONG_RANK',
        `"${label}" is a scalar (${spec.dtype}); send one value, not a list`,
      );
    throw new HttpError(
      'WRONG_RANK',
      `"${label}" has rank ${shape.length} (${shape.length === 0 ? 'not a list' : `nested ${shape.length} deep`}); the model expects rank ${rank}, shape ${formatDims(spec.dims)}${shape.length === rank - 1 ? ' (wrap a single row in [ ])' : ''}`,
    );
  }
  if (shape[0] === 0)
    throw new HttpError('EMPTY_BATCH', `"${label}" has no rows; send at least one`);
  for (let index = 0; index < shape.length; index += 1) {
    const dim = shape[index] as number;
    if (dim === 0)
      throw new HttpError(
        'WRONG_SHAPE',
        `"${label}" dimension ${index} is empty; the model expects ${formatDims(spec.dims)}`,
      );
    const wanted = spec.dims[index];
    if (wanted !== null && wanted !== undefined && wanted !== dim) {
      throw new HttpError(
        'WRONG_SHAPE',
        `"${label}" dimension ${index} has size ${dim}; the model expects ${wanted} (shape ${formatDims(spec.dims)})`,
      );
    }
  }
  const count = elementCount(shape);
  if (count > maxElements) {
    throw new HttpError(
      'RAGGED_ARRAY',
      `"${label}" cannot have shape ${formatDims(shape)} in a body this size: its nested lists differ in length`,
    );
  }
  const data = DTYPES[spec.dtype].create(count);
  // Only values off the fast path below need the checking writer: made on first use.
  let writer: LeafWriter | undefined;
  let offset = 0;
  const path: number[] = [];
  const where = () => `${label}${path.map((index) => `[${index}]`).join('')}`;
  const info = DTYPES[spec.dtype];
  const numeric = info.kind === 'float' || info.kind === 'int';
  const fill = (node: unknown, depth: number): void => {
    // Fast path for the innermost lists of numbers (the bulk of every body): one bounds check
    // per value; anything unusual (NaN fails it too) goes through the checking writer below.
    if (numeric && depth === rank - 1 && Array.isArray(node) && node.length === shape[depth]) {
      const target = data as Float32Array;
      const start = offset;
      let index = 0;
      for (; index < node.length; index += 1) {
        const value: unknown = node[index];
        if (typeof value !== 'number' || !(value >= info.min && value <= info.max)) break;
        if (info.kind === 'int' && !Number.isInteger(value)) break;
        target[start + index] = value;
      }
      if (index === node.length) {
        offset += index;
        return;
      }
      offset = start;
    }
    if (depth === rank) {
      if (Array.isArray(node))
        throw new HttpError(
          'RAGGED_ARRAY',
          `${where()} is a list where a value was expected (rows nest to different depths)`,
        );
      writer ??= new LeafWriter(spec, data);
      writer.write(offset, node, where);
      offset += 1;
      return;
    }
    if (!Array.isArray(node)) {
      throw new HttpError(
        'RAGGED_ARRAY',
        `${where()} is ${node === null ? 'null' : typeof node} where a list of ${shape[depth]} was expected (rows nest to different depths)`,
      );
    }
    if (node.length !== shape[depth]) {
      throw new HttpError(
        'RAGGED_ARRAY',
        `${where()} has ${node.length} items where ${shape[depth]} were expected (like ${label}${'[0]'.repeat(depth)}); every row must have the same length`,
      );
    }
    for (let index = 0; index < node.length; index += 1) {
      path.push(index);
      fill(node[index], depth + 1);
      path.pop();
    }
  };
  fill(value, 0);
  return { dtype: spec.dtype, dims: shape, data };
}

/**
 * The per-API body: `{"<input>": nested arrays}` (a bare array when the model has one input).
 * Returns the tensors in the model's input order and the row count they share.
 */
export function decodeApiBody(
  body: unknown,
  inputs: readonly TensorSpec[],
  maxElements: number,
): { readonly tensors: HostTensor[]; readonly rows: number } {
  let named: Record<string, unknown>;
  if (Array.isArray(body)) {
    const only = inputs[0];
    if (inputs.length !== 1 || only === undefined) {
      throw new HttpError(
        'INVALID_BODY',
        `the model has ${inputs.length} inputs (${names(inputs)}); send an object keyed by input name, not a bare list`,
      );
    }
    named = { [only.name]: body };
  } else if (typeof body === 'object' && body !== null) {
    named = body as Record<string, unknown>;
  } else {
    throw new HttpError(
      'INVALID_BODY',
      `the body is ${body === null ? 'null' : typeof body}; send a JSON object keyed by input name (${names(inputs)})`,
    );
  }
  for (const key of Object.keys(named)) {
    // A linear search: models have a few inputs, and a Set per request would cost more.
    if (!inputs.some((input) => input.name === key)) {
      throw new HttpError(
        'UNKNOWN_INPUT',
        `the model has no input "${truncate(key)}"; its inputs are ${names(inputs)}`,
      );
    }
  }
  const tensors = inputs.map((spec) => {
    if (!Object.hasOwn(named, spec.name)) {
      throw new HttpError(
        'MISSING_INPUT',
        `input "${spec.name}" (${spec.dtype} ${formatDims(spec.dims)}) is missing; the model needs ${names(inputs)}`,
      );
    }
    return decodeNested(named[spec.name], spec, maxElements);
  });
  return { tensors, rows: sharedRows(tensors, inputs) };
}

export function sharedRows(tensors: readonly HostTensor[], inputs: readonly TensorSpec[]): number {
  const rows = tensors[0]?.dims[0] ?? 1;
  tensors.forEach((tensor, index) => {
    if ((tensor.dims[0] ?? 1) !== rows) {
      throw new HttpError(
        'ROW_MISMATCH',
        `"${inputs[index]?.name}" has ${tensor.dims[0] ?? 1} rows but "${inputs[0]?.name}" has ${rows}; every input needs the same number of rows`,
      );
    }
  });
  return rows;
}

export function names(specs: readonly TensorSpec[]): string {
  return specs.map((spec) => `"${spec.name}"`).join(', ');
}

function truncate(text: string | undefined): string {
  const value = text ?? 'undefined';
  return value.length > 40 ? `${value.slice(0, 37)}...` : value;
}
