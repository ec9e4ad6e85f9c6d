/**
 * What a model declares about its inputs and outputs, read with onnxruntime (the session's
 * inputMetadata/outputMetadata), or, where onnxruntime gives no shapes, from the ONNX
 * protobuf itself. Used by `bentoctl bento build`; loaded lazily (onnxruntime is heavy).
 */
import { readFileSync } from 'node:fs';
import type { onnx as onnxTypes } from 'onnx-proto';
import type { DeclaredTensor } from './signature.js';

export interface DeclaredModel {
  readonly inputs: readonly DeclaredTensor[];
  readonly outputs: readonly DeclaredTensor[];
  /** Where the names/types/shapes came from. */
  readonly source: 'onnxruntime' | 'protobuf';
}

/** Loads the model in onnxruntime (proving it loads) and reads its signature. */
export async function readModelSignature(file: string): Promise<DeclaredModel> {
  process.env.ORT_DISABLE_TELEMETRY = '1';
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(file, { logSeverityLevel: 3 });
  try {
    const inputs = session.inputMetadata;
    const outputs = session.outputMetadata;
    const complete = (list: readonly unknown[] | undefined): boolean =>
      Array.isArray(list) &&
      list.every((meta) => typeof meta === 'object' && meta !== null && 'shape' in meta);
    if (complete(inputs) && complete(outputs)) {
      return { inputs: inputs.map(fromOrt), outputs: outputs.map(fromOrt), source: 'onnxruntime' };
    }
    return { ...(await readProtobufSignature(file)), source: 'protobuf' };
  } finally {
    await session.release();
  }
}

function fromOrt(meta: {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: readonly (number | string)[];
}): DeclaredTensor {
  if (!meta.isTensor) return { name: meta.name, type: 'non-tensor', shape: [] };
  return {
    name: meta.name,
    type: meta.type ?? 'unknown',
    shape: (meta.shape ?? []).map((dim) => (typeof dim === 'number' ? dim : String(dim))),
  };
}

/** ONNX TensorProto.DataType numbers, by the names onnxruntime uses. */
const ONNX_ELEMENT_TYPES: Readonly<Record<number, string>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
};

/** Reads graph inputs (minus initializers) and outputs from the .onnx protobuf. */
export async function readProtobufSignature(file: string): Promise<Omit<DeclaredModel, 'source'>> {
  const { onnx } = (await import('onnx-proto')).default;
  const model = onnx.ModelProto.decode(readFileSync(file));
  const graph = model.graph;
  // A run of zero bytes decodes as an empty model: no graph, or a graph that computes nothing.
  if (graph === null || graph === undefined) throw new Error(`${file} has no graph`);
  if ((graph.node ?? []).length === 0 || (graph.output ?? []).length === 0)
    throw new Error(`${file} has a graph with no nodes or no outputs`);
  const initializers = new Set((graph.initializer ?? []).map((tensor) => tensor.name));
  const describe = (info: onnxTypes.IValueInfoProto): DeclaredTensor => {
    const tensorType = info.type?.tensorType;
    const dims = tensorType?.shape?.dim ?? [];
    return {
      name: info.name ?? '',
      type: ONNX_ELEMENT_TYPES[tensorType?.elemType ?? 0] ?? 'unknown',
      shape: dims.map((dim) => {
        const value = dim.dimValue;
        if (value !== undefined && value !== null && Number(value) > 0) return Number(value);
        return dim.dimParam && dim.dimParam !== '' ? dim.dimParam : -1;
      }),
    };
  };
  return {
    inputs: (graph.input ?? []).filter((info) => !initializers.has(info.name ?? '')).map(describe),
    outputs: (graph.output ?? []).map(describe),
  };
}
