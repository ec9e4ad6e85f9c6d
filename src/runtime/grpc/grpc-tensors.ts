/**
 * ModelInfer's tensors to and from the runtime's: a gRPC request becomes the same v2 request
 * the REST route decodes (decode-v2.ts), so both protocols make the same checks and give the
 * same errors. `raw_input_contents` and 64-bit `contents` go through the binary tensor path,
 * which keeps int64 exact; other typed contents go through the JSON element checks.
 */
import type { TensorDtype } from '../../bento/schema.js';
import { HttpError } from '../http-errors.js';
import { tensorBytes } from '../binary-tensors.js';
import { DTYPES, flatValues, type HostTensor } from '../tensor.js';

/** The `InferTensorContents` field each v2 datatype travels in. */
export const CONTENTS_FIELD: Readonly<Record<string, string>> = {
  BOOL: 'bool_contents',
  INT8: 'int_contents',
  INT16: 'int_contents',
  INT32: 'int_contents',
  INT64: 'int64_contents',
  UINT8: 'uint_contents',
  UINT16: 'uint_contents',
  UINT32: 'uint_contents',
  UINT64: 'uint64_contents',
  FP32: 'fp32_contents',
  FP64: 'fp64_contents',
};

type Contents = Record<string, unknown[] | undefined>;

export interface GrpcInferInput {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly string[];
  readonly contents?: Contents | null;
}

export interface GrpcInferRequest {
  readonly model_name: string;
  readonly model_version: string;
  readonly id: string;
  readonly inputs: readonly GrpcInferInput[];
  readonly outputs: readonly { readonly name: string }[];
  readonly raw_input_contents: readonly Buffer[];
}

/** The REST-shaped v2 body and binary tail of a gRPC ModelInfer request. */
export function grpcToV2(request: GrpcInferRequest): { body: unknown; binary: Buffer | undefined } {
  const raw = request.raw_input_contents;
  if (raw.length > 0 && raw.length !== request.inputs.length) {
    throw new HttpError(
      'INVALID_BINARY_DATA',
      `raw_input_contents has ${raw.length} entries for ${request.inputs.length} inputs; with raw contents every input needs one, in order`,
    );
  }
  const parts: Buffer[] = [];
  const inputs = request.inputs.map((input, index) => {
    const shape = input.shape.map(Number);
    const base = { name: input.name, datatype: input.datatype, shape };
    const rawBytes = raw[index];
    if (rawBytes !== undefined) {
      parts.push(rawBytes);
      return { ...base, parameters: { binary_data_size: rawBytes.length } };
    }
    const field = CONTENTS_FIELD[input.datatype];
    const values = field === undefined ? undefined : input.contents?.[field];
    if (values === undefined) return { ...base, data: [] };
    if (input.datatype === 'INT64' || input.datatype === 'UINT64') {
      const array =
        input.datatype === 'INT64'
          ? BigInt64Array.from(values, (value) => BigInt(String(value)))
          : BigUint64Array.from(values, (value) => BigInt(String(value)));
      const bytes = Buffer.from(array.buffer);
      parts.push(bytes);
      return { ...base, parameters: { binary_data_size: bytes.length } };
    }
    return { ...base, data: values };
  });
  return {
    body: {
      ...(request.id === '' ? {} : { id: request.id }),
      inputs,
      ...(request.outputs.length === 0
        ? {}
        : { outputs: request.outputs.map((output) => ({ name: output.name })) }),
    },
    binary: parts.length === 0 ? undefined : Buffer.concat(parts),
  };
}

/** One output tensor as ModelInferResponse carries it: typed contents, or raw bytes. */
export function grpcOutput(
  name: string,
  tensor: HostTensor,
  raw: boolean,
): { readonly output: Record<string, unknown>; readonly raw: Buffer | undefined } {
  const datatype = DTYPES[tensor.dtype].v2;
  const output = { name, datatype, shape: tensor.dims.map(String) };
  if (raw) return { output, raw: tensorBytes(tensor) };
  return {
    output: { ...output, contents: { [CONTENTS_FIELD[datatype] as string]: contents(tensor) } },
    raw: undefined,
  };
}

function contents(tensor: HostTensor): unknown[] {
  const wide: readonly TensorDtype[] = ['int64', 'uint64'];
  // Decimal strings: protobufjs encodes them as exact 64-bit integers.
  if (wide.includes(tensor.dtype))
    return Array.from(tensor.data as BigInt64Array | BigUint64Array, (value) => String(value));
  return flatValues(tensor);
}
