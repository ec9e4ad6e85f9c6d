/**
 * A small writer of ONNX models with onnx-proto, for the example and benchmark models the repo
 * generates (iris classifier, benchmark MLP, test fixtures). Deterministic: the same arguments
 * always give the same bytes, so generated files can be committed and diffed.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;

/** ONNX element type per dtype name (the names onnxruntime-node uses). */
export const ONNX_TYPES = {
  float32: DataType.FLOAT,
  float64: DataType.DOUBLE,
  int8: DataType.INT8,
  uint8: DataType.UINT8,
  int16: DataType.INT16,
  uint16: DataType.UINT16,
  int32: DataType.INT32,
  uint32: DataType.UINT32,
  int64: DataType.INT64,
  uint64: DataType.UINT64,
  bool: DataType.BOOL,
};

/** A graph input or output: dims are numbers or symbolic names (dynamic). */
export function valueInfo(name, dtype, dims) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: ONNX_TYPES[dtype],
        shape: {
          dim: dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })),
        },
      },
    },
  });
}

/** A float32 initializer stored as raw little-endian bytes. */
export function floatTensor(name, dims, values) {
  const data = Float32Array.from(values);
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: DataType.FLOAT,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  });
}

/** An int64 initializer (shapes for Reshape, ConstantOfShape...). */
export function int64Tensor(name, dims, values) {
  const data = BigInt64Array.from(values.map((v) => BigInt(v)));
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: DataType.INT64,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  });
}

/** A node; attributes are given as `{ name: value }` with ints, floats or tensors. */
export function node(opType, inputs, outputs, attributes = {}) {
  return onnx.NodeProto.create({
    opType,
    input: inputs,
    output: outputs,
    attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
  });
}

function attribute(name, value) {
  const { AttributeType } = onnx.AttributeProto;
  if (value instanceof onnx.TensorProto) return { name, type: AttributeType.TENSOR, t: value };
  if (Number.isInteger(value)) return { name, type: AttributeType.INT, i: value };
  if (typeof value === 'number') return { name, type: AttributeType.FLOAT, f: value };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  throw new Error(`unsupported attribute ${name}=${String(value)}`);
}

/** Serializes a model (opset 13, IR version 7: loadable by every onnxruntime since 1.8). */
export function encodeModel({ name, nodes, inputs, outputs, initializers = [], docString = '' }) {
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'bentoctl-scripts',
    producerVersion: '1',
    docString,
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name, node: nodes, input: inputs, output: outputs, initializer: initializers },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** A deterministic pseudo-random generator (mulberry32), so generated weights are stable. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A multi-layer perceptron: Gemm + Relu between layers, Softmax at the end. `layers` are the
 * widths, input first (`[256, 1024, 1024, 10]`); weights are uniform in +-1/sqrt(fan_in).
 */
export function mlpModel({ name, layers, seed = 1, inputName = 'input', outputName = 'output' }) {
  const random = seededRandom(seed);
  const nodes = [];
  const initializers = [];
  let previous = inputName;
  for (let index = 0; index + 1 < layers.length; index += 1) {
    const fanIn = layers[index];
    const fanOut = layers[index + 1];
    const scale = 1 / Math.sqrt(fanIn);
    const weights = Array.from({ length: fanIn * fanOut }, () => (random() * 2 - 1) * scale);
    const bias = Array.from({ length: fanOut }, () => (random() * 2 - 1) * scale);
    initializers.push(floatTensor(`w${index}`, [fanIn, fanOut], weights));
    initializers.push(floatTensor(`b${index}`, [fanOut], bias));
    const out = `gemm${index}`;
    nodes.push(node('Gemm', [previous, `w${index}`, `b${index}`], [out]));
    const last = index + 2 === layers.length;
    if (!last) {
      nodes.push(node('Relu', [out], [`relu${index}`]));
      previous = `relu${index}`;
    } else {
      nodes.push(node('Softmax', [out], [outputName], { axis: 1 }));
    }
  }
  return encodeModel({
    name,
    nodes,
    initializers,
    inputs: [valueInfo(inputName, 'float32', ['batch', layers[0]])],
    outputs: [valueInfo(outputName, 'float32', ['batch', layers.at(-1)])],
  });
}
