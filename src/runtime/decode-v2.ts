/**
 * The Open Inference Protocol v2 infer request (`inputs: [{name, shape, datatype, data}]`):
 * checked against the model signature with the same element checks as the per-API JSON. Inputs
 * may instead carry their data as binary (the binary tensor data extension, binary-tensors.ts).
 */
import type { TensorSpec } from '../bento/signature.js';
import { formatDims } from '../bento/signature.js';
import { BinaryCursor, binaryDataSize, decodeBinaryTensor } from './binary-tensors.js';
import { LeafWriter, names, sharedRows } from './decode-input.js';
import { HttpError } from './http-errors.js';
import { DTYPES, elementCount, type HostTensor } from './tensor.js';

export interface V2Request {
  readonly id: string | undefined;
  readonly tensors: HostTensor[];
  readonly rows: number;
  /** Output names the client asked for; undefined = all. */
  readonly outputs: readonly string[] | undefined;
  /** Outputs to answer as binary data (`binary_data: true`, or all with `binary_data_output`). */
  readonly binaryOutputs: ReadonlySet<string>;
}

/** `binary`: the bytes after the JSON header, when the request had `Inference-Header-Content-Length`. */
export function decodeV2Body(
  body: unknown,
  inputs: readonly TensorSpec[],
  outputs: readonly TensorSpec[],
  binary?: Buffer,
): V2Request {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(
      'INVALID_BODY',
      'the body must be a JSON object with "inputs": [{name, shape, datatype, data}]',
    );
  }
  const request = body as Record<string, unknown>;
  const id = request.id;
  if (id !== undefined && typeof id !== 'string')
    throw new HttpError('INVALID_BODY', '"id" must be a string');
  if (!Array.isArray(request.inputs)) {
    throw new HttpError(
      'INVALID_BODY',
      `"inputs" must be a list of {name, shape, datatype, data}; the model's inputs are ${names(inputs)}`,
    );
  }
  const given = new Map<string, Record<string, unknown>>();
  // Binary data follows the header in the order the inputs are listed there.
  const cursor = binary === undefined ? undefined : new BinaryCursor(binary);
  const bytes = new Map<string, Buffer>();
  request.inputs.forEach((entry: unknown, index: number) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new HttpError(
        'INVALID_BODY',
        `inputs[${index}] must be an object {name, shape, datatype, data}`,
      );
    }
    const item = entry as Record<string, unknown>;
    if (typeof item.name !== 'string')
      throw new HttpError('INVALID_BODY', `inputs[${index}].name must be a string`);
    if (given.has(item.name))
      throw new HttpError('INVALID_BODY', `input "${item.name}" is given twice`);
    if (!inputs.some((spec) => spec.name === item.name)) {
      throw new HttpError(
        'UNKNOWN_INPUT',
        `the model has no input "${item.name}"; its inputs are ${names(inputs)}`,
      );
    }
    given.set(item.name, item);
    const size = binaryDataSize(item, item.name);
    if (size === undefined) return;
    if (cursor === undefined) {
      throw new HttpError(
        'INVALID_BINARY_DATA',
        `input "${item.name}" has binary_data_size but the request has no Inference-Header-Content-Length header saying where its JSON ends`,
      );
    }
    if (item.data !== undefined) {
      throw new HttpError(
        'INVALID_BINARY_DATA',
        `input "${item.name}" has both "data" and binary_data_size; send one`,
      );
    }
    bytes.set(item.name, cursor.take(size, item.name));
  });
  cursor?.finish();
  const tensors = inputs.map((spec) => {
    const item = given.get(spec.name);
    if (item === undefined) {
      throw new HttpError(
        'MISSING_INPUT',
        `input "${spec.name}" (${DTYPES[spec.dtype].v2} ${formatDims(spec.dims)}) is missing`,
      );
    }
    return decodeV2Tensor(item, spec, bytes.get(spec.name));
  });
  const requested = requestedOutputs(request.outputs, outputs);
  const binaryOutputs = new Set(requested.binary);
  if (binaryOutputFlag(request.parameters)) {
    for (const name of requested.names ?? outputs.map((output) => output.name))
      binaryOutputs.add(name);
  }
  return {
    id,
    tensors,
    rows: sharedRows(tensors, inputs),
    outputs: requested.names,
    binaryOutputs,
  };
}

/** The request-level `parameters.binary_data_output`: every output as binary. */
function binaryOutputFlag(parameters: unknown): boolean {
  if (parameters === undefined) return false;
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters))
    throw new HttpError('INVALID_BODY', '"parameters" must be an object');
  const flag = (parameters as Record<string, unknown>).binary_data_output;
  if (flag !== undefined && typeof flag !== 'boolean')
    throw new HttpError('INVALID_BODY', '"parameters".binary_data_output must be a boolean');
  return flag === true;
}

function decodeV2Tensor(
  item: Record<string, unknown>,
  spec: TensorSpec,
  binary: Buffer | undefined,
): HostTensor {
  const label = spec.name;
  const info = DTYPES[spec.dtype];
  if (item.datatype !== info.v2) {
    throw new HttpError(
      'WRONG_DTYPE',
      `"${label}" has datatype ${JSON.stringify(item.datatype)}; the model expects ${info.v2}`,
    );
  }
  const shape = item.shape;
  if (
    !Array.isArray(shape) ||
    !shape.every((dim) => Number.isInteger(dim) && (dim as number) >= 0)
  ) {
    throw new HttpError('INVALID_BODY', `"${label}".shape must be a list of non-negative integers`);
  }
  const dims = shape as number[];
  if (dims.length !== spec.dims.length) {
    throw new HttpError(
      'WRONG_RANK',
      `"${label}" has shape ${formatDims(dims)} (rank ${dims.length}); the model expects ${formatDims(spec.dims)}`,
    );
  }
  if (dims[0] === 0)
    throw new HttpError('EMPTY_BATCH', `"${label}" has no rows; send at least one`);
  dims.forEach((dim, index) => {
    const wanted = spec.dims[index];
    if (dim === 0) throw new HttpError('WRONG_SHAPE', `"${label}" dimension ${index} is empty`);
    if (wanted !== null && wanted !== undefined && wanted !== dim) {
      throw new HttpError(
        'WRONG_SHAPE',
        `"${label}" dimension ${index} has size ${dim}; the model expects ${wanted} (shape ${formatDims(spec.dims)})`,
      );
    }
  });
  if (binary !== undefined)
    return decodeBinaryTensor(binary, spec.dtype, dims, elementCount(dims), label);
  if (!Array.isArray(item.data))
    throw new HttpError('INVALID_BODY', `"${label}".data must be a list of values`);
  // The protocol allows data flat or nested; either way it is row-major. Flattening only as
  // deep as the rank keeps a maliciously deep body from recursing further.
  const flat = (item.data as unknown[]).flat(Math.max(0, dims.length - 1));
  const count = elementCount(dims);
  if (flat.length !== count) {
    throw new HttpError(
      'DATA_SIZE_MISMATCH',
      `"${label}".data holds ${flat.length} values but shape ${formatDims(dims)} needs ${count}`,
    );
  }
  const data = info.create(count);
  const writer = new LeafWriter(spec, data);
  for (let index = 0; index < count; index += 1) {
    writer.write(index, flat[index], () => `${label}.data[${index}]`);
  }
  return { dtype: spec.dtype, dims, data };
}

function requestedOutputs(
  value: unknown,
  outputs: readonly TensorSpec[],
): { readonly names: readonly string[] | undefined; readonly binary: readonly string[] } {
  if (value === undefined) return { names: undefined, binary: [] };
  if (!Array.isArray(value))
    throw new HttpError('INVALID_BODY', '"outputs" must be a list of {name}');
  const binary: string[] = [];
  const wanted = value.map((entry: unknown, index: number) => {
    const name =
      typeof entry === 'object' && entry !== null ? (entry as { name?: unknown }).name : undefined;
    if (typeof name !== 'string')
      throw new HttpError('INVALID_BODY', `outputs[${index}].name must be a string`);
    if (!outputs.some((spec) => spec.name === name)) {
      throw new HttpError(
        'INVALID_BODY',
        `outputs[${index}]: the model has no output "${name}"; its outputs are ${names(outputs)}`,
      );
    }
    const parameters = (entry as { parameters?: unknown }).parameters;
    if (parameters !== undefined) {
      const flag =
        typeof parameters === 'object' && parameters !== null
          ? (parameters as { binary_data?: unknown }).binary_data
          : 'not an object';
      if (flag !== undefined && typeof flag !== 'boolean') {
        throw new HttpError(
          'INVALID_BODY',
          `outputs[${index}].parameters.binary_data must be a boolean`,
        );
      }
      if (flag === true) binary.push(name);
    }
    return name;
  });
  return { names: wanted, binary };
}
