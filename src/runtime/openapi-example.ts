/**
 * An example request body for an API, built from its model's input signature: one row, each
 * dynamic dimension 1, every element 0 (false for bool). Swagger UI shows it and "Try it out"
 * sends it, so it must be a valid input, not merely the right shape.
 */
import type { TensorSpec } from '../bento/signature.js';
import { DTYPES } from './tensor.js';

/**
 * Above this many elements the example is left out (Swagger UI then makes one from the schema):
 * 65,536 zeros are ~128 KB of JSON, which the page still edits comfortably, and cover one
 * 3x48x192 image crop (examples/text-direction).
 */
export const MAX_EXAMPLE_ELEMENTS = 65_536;

export function exampleInput(inputs: readonly TensorSpec[]): Record<string, unknown> | undefined {
  let elements = 0;
  const body: Record<string, unknown> = {};
  for (const input of inputs) {
    const dims = input.dims.map((dim) => dim ?? 1);
    elements += dims.reduce((product, dim) => product * dim, 1);
    if (elements > MAX_EXAMPLE_ELEMENTS) return undefined;
    const leaf = DTYPES[input.dtype].kind === 'bool' ? false : 0;
    body[input.name] = nest(dims, leaf);
  }
  return body;
}

function nest(dims: readonly number[], leaf: unknown): unknown {
  if (dims.length === 0) return leaf;
  const [first = 1, ...rest] = dims;
  return Array.from({ length: first }, () => nest(rest, leaf));
}
