/**
 * A model's signature: the name, element type and dimensions of each input and output, read
 * from the model (onnxruntime's metadata, or the ONNX protobuf) and then overridden by
 * `bento.yaml`. A dimension is a number when fixed and null when dynamic.
 */
import { TENSOR_DTYPES, type TensorDtype, type TensorOverride } from './schema.js';

export interface TensorSpec {
  readonly name: string;
  readonly dtype: TensorDtype;
  /** null = dynamic. The first dimension is the batch when the API is batchable. */
  readonly dims: readonly (number | null)[];
}

export interface ModelSignature {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
}

/** What onnxruntime (or the protobuf reader) says about one input or output. */
export interface DeclaredTensor {
  readonly name: string;
  /** The element type as onnxruntime names it; may be one bentoctl cannot carry over JSON. */
  readonly type: string;
  /** Numbers for fixed dims; strings (symbolic names) or -1 for dynamic ones. */
  readonly shape: readonly (number | string)[];
}

export type SignatureProblem = {
  readonly side: 'inputs' | 'outputs';
  readonly name: string;
  readonly message: string;
};

export interface ResolvedSignature {
  readonly signature: ModelSignature;
  readonly problems: readonly SignatureProblem[];
}

/** Applies overrides to what the model declares, listing whatever cannot be served. */
export function resolveSignature(
  declared: {
    readonly inputs: readonly DeclaredTensor[];
    readonly outputs: readonly DeclaredTensor[];
  },
  overrides: {
    readonly inputs?: Readonly<Record<string, TensorOverride>>;
    readonly outputs?: Readonly<Record<string, TensorOverride>>;
  },
): ResolvedSignature {
  const problems: SignatureProblem[] = [];
  const side = (which: 'inputs' | 'outputs'): TensorSpec[] => {
    const given = overrides[which] ?? {};
    const names = new Set(declared[which].map((tensor) => tensor.name));
    for (const name of Object.keys(given)) {
      if (!names.has(name)) {
        problems.push({
          side: which,
          name,
          message: `the model has no ${which === 'inputs' ? 'input' : 'output'} "${name}" (it has ${[...names].map((n) => `"${n}"`).join(', ')})`,
        });
      }
    }
    return declared[which].flatMap((tensor) => {
      const override = given[tensor.name];
      const dtype = override?.dtype ?? tensor.type;
      if (!isTensorDtype(dtype)) {
        problems.push({
          side: which,
          name: tensor.name,
          message: `element type ${dtype} cannot be carried over JSON (supported: ${TENSOR_DTYPES.join(', ')})`,
        });
        return [];
      }
      const declaredDims = tensor.shape.map((dim) =>
        typeof dim === 'number' && dim >= 0 ? dim : null,
      );
      if (override?.shape !== undefined) {
        const overridden = override.shape.map((dim) => (dim < 0 ? null : dim));
        const clash = conflict(declaredDims, overridden);
        if (clash !== undefined) {
          problems.push({ side: which, name: tensor.name, message: clash });
          return [];
        }
        return [{ name: tensor.name, dtype, dims: overridden }];
      }
      return [{ name: tensor.name, dtype, dims: declaredDims }];
    });
  };
  const inputs = side('inputs');
  const outputs = side('outputs');
  return { signature: { inputs, outputs }, problems };
}

/** Why a model cannot be batched (its first dimension is not dynamic), or undefined. */
export function batchingProblem(signature: ModelSignature): string | undefined {
  for (const tensor of [...signature.inputs, ...signature.outputs]) {
    if (tensor.dims.length === 0 || tensor.dims[0] !== null) {
      return `"${tensor.name}" has shape ${formatDims(tensor.dims)}: batching needs a dynamic first dimension (set batchable: false, or override the shape with -1 first)`;
    }
  }
  return undefined;
}

export function isTensorDtype(value: string): value is TensorDtype {
  return (TENSOR_DTYPES as readonly string[]).includes(value);
}

/** `[-1, 3, 48, 192]` style, with -1 for dynamic dims. */
export function formatDims(dims: readonly (number | null)[]): string {
  return `[${dims.map((dim) => (dim === null ? '-1' : String(dim))).join(', ')}]`;
}

/** An override may pin dynamic dims but not change the rank or a fixed dim. */
function conflict(
  declared: readonly (number | null)[],
  overridden: readonly (number | null)[],
): string | undefined {
  if (declared.length !== overridden.length) {
    return `shape ${formatDims(overridden)} has rank ${overridden.length}, the model declares ${formatDims(declared)} (rank ${declared.length})`;
  }
  for (const [index, dim] of declared.entries()) {
    const wanted = overridden[index];
    if (dim !== null && wanted !== dim) {
      return `dimension ${index} is fixed to ${dim} in the model; the override gives ${wanted === null ? '-1' : String(wanted)}`;
    }
  }
  return undefined;
}
