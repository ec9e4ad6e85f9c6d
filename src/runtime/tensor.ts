/**
 * Host-side tensors: typed arrays plus dims, and how each element type is stored, checked and
 * named in the Open Inference Protocol. The HTTP thread builds these from JSON and the
 * inference threads turn them into onnxruntime tensors without copying.
 */
import type { TensorDtype } from '../bento/schema.js';

export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

export interface HostTensor {
  readonly dtype: TensorDtype;
  readonly dims: readonly number[];
  readonly data: TensorData;
}

type Kind = 'float' | 'int' | 'bigint' | 'bool';

export interface DtypeInfo {
  readonly kind: Kind;
  readonly create: (length: number) => TensorData;
  /** Inclusive bounds a JSON number must fall within. */
  readonly min: number;
  readonly max: number;
  /** The Open Inference Protocol v2 datatype name. */
  readonly v2: string;
}

const FLOAT32_MAX = 3.4028234663852886e38;

export const DTYPES: Readonly<Record<TensorDtype, DtypeInfo>> = {
  float32: {
    kind: 'float',
    create: (n) => new Float32Array(n),
    min: -FLOAT32_MAX,
    max: FLOAT32_MAX,
    v2: 'FP32',
  },
  float64: {
    kind: 'float',
    create: (n) => new Float64Array(n),
    min: -Number.MAX_VALUE,
    max: Number.MAX_VALUE,
    v2: 'FP64',
  },
  int8: { kind: 'int', create: (n) => new Int8Array(n), min: -128, max: 127, v2: 'INT8' },
  uint8: { kind: 'int', create: (n) => new Uint8Array(n), min: 0, max: 255, v2: 'UINT8' },
  int16: { kind: 'int', create: (n) => new Int16Array(n), min: -32768, max: 32767, v2: 'INT16' },
  uint16: { kind: 'int', create: (n) => new Uint16Array(n), min: 0, max: 65535, v2: 'UINT16' },
  int32: {
    kind: 'int',
    create: (n) => new Int32Array(n),
    min: -2147483648,
    max: 2147483647,
    v2: 'INT32',
  },
  uint32: { kind: 'int', create: (n) => new Uint32Array(n), min: 0, max: 4294967295, v2: 'UINT32' },
  // Over JSON, 64-bit integers are exact only within +-2^53; beyond, the value is refused.
  int64: {
    kind: 'bigint',
    create: (n) => new BigInt64Array(n),
    min: Number.MIN_SAFE_INTEGER,
    max: Number.MAX_SAFE_INTEGER,
    v2: 'INT64',
  },
  uint64: {
    kind: 'bigint',
    create: (n) => new BigUint64Array(n),
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    v2: 'UINT64',
  },
  // onnxruntime-node carries bool tensors as one byte per element.
  bool: { kind: 'bool', create: (n) => new Uint8Array(n), min: 0, max: 1, v2: 'BOOL' },
};

/** Elements per row: the product of all dims but the first. */
export function rowSize(dims: readonly number[]): number {
  let size = 1;
  for (let index = 1; index < dims.length; index += 1) size *= dims[index] ?? 1;
  return size;
}

export function elementCount(dims: readonly number[]): number {
  let size = 1;
  for (const dim of dims) size *= dim;
  return size;
}

/** Rows `[start, end)` of a tensor, sharing its memory. */
export function sliceRows(tensor: HostTensor, start: number, end: number): HostTensor {
  const size = rowSize(tensor.dims);
  const dims = tensor.dims.slice();
  dims[0] = end - start;
  return {
    dtype: tensor.dtype,
    dims,
    data: tensor.data.subarray(start * size, end * size),
  };
}

/** Stacks tensors of the same dtype and row shape along the first dimension. */
export function concatRows(parts: readonly HostTensor[]): HostTensor {
  const first = parts[0];
  if (first === undefined) throw new Error('concatRows needs at least one tensor');
  if (parts.length === 1) return first;
  let rows = 0;
  let length = 0;
  for (const part of parts) {
    rows += part.dims[0] ?? 0;
    length += part.data.length;
  }
  const data = DTYPES[first.dtype].create(length);
  let offset = 0;
  for (const part of parts) {
    // Same dtype, so the set() overloads line up; TypeScript cannot see that through the union.
    (data as Float32Array).set(part.data as Float32Array, offset);
    offset += part.data.length;
  }
  return { dtype: first.dtype, dims: [rows, ...first.dims.slice(1)], data };
}

/** JSON-friendly values of a tensor, flat: numbers, or booleans for bool. */
export function flatValues(tensor: HostTensor): (number | boolean)[] {
  const { data } = tensor;
  const out: (number | boolean)[] = new Array<number | boolean>(data.length);
  if (tensor.dtype === 'bool') {
    for (let index = 0; index < data.length; index += 1) out[index] = data[index] !== 0;
  } else {
    for (let index = 0; index < data.length; index += 1) out[index] = Number(data[index]);
  }
  return out;
}

/** Nested arrays following `dims`, as the per-API JSON endpoints answer. */
export function nestedValues(tensor: HostTensor): unknown {
  const flat = flatValues(tensor);
  const { dims } = tensor;
  if (dims.length === 0) return flat[0];
  const build = (depth: number, offset: number, stride: number): unknown[] => {
    const length = dims[depth] ?? 0;
    const inner = stride / (length || 1);
    const out = new Array<unknown>(length);
    if (depth === dims.length - 1) {
      for (let index = 0; index < length; index += 1) out[index] = flat[offset + index];
    } else {
      for (let index = 0; index < length; index += 1)
        out[index] = build(depth + 1, offset + index * inner, inner);
    }
    return out;
  };
  return build(0, 0, flat.length);
}
