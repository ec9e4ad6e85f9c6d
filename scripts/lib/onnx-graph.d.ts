/** Types for scripts/lib/onnx-graph.js, so tests can build fixture models with it. */
import type { onnx } from 'onnx-proto';

export type DtypeName =
  | 'float32'
  | 'float64'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool';

export const ONNX_TYPES: Readonly<Record<DtypeName, number>>;
export function valueInfo(
  name: string,
  dtype: DtypeName,
  dims: readonly (number | string)[],
): onnx.ValueInfoProto;
export function floatTensor(
  name: string,
  dims: readonly number[],
  values: ArrayLike<number>,
): onnx.TensorProto;
export function int64Tensor(
  name: string,
  dims: readonly number[],
  values: readonly number[],
): onnx.TensorProto;
export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes?: Readonly<Record<string, number | readonly number[] | onnx.TensorProto>>,
): onnx.NodeProto;
export function encodeModel(model: {
  name: string;
  nodes: readonly onnx.NodeProto[];
  inputs: readonly onnx.ValueInfoProto[];
  outputs: readonly onnx.ValueInfoProto[];
  initializers?: readonly onnx.TensorProto[];
  docString?: string;
}): Uint8Array;
export function seededRandom(seed: number): () => number;
export function mlpModel(options: {
  name: string;
  layers: readonly number[];
  seed?: number;
  inputName?: string;
  outputName?: string;
}): Uint8Array;
