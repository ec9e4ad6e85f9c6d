import { describe, expect, it } from 'vitest';
import type { TensorSpec } from '../../src/bento/signature.js';
import { exampleInput, MAX_EXAMPLE_ELEMENTS } from '../../src/runtime/openapi-example.js';

const spec = (name: string, dtype: TensorSpec['dtype'], dims: (number | null)[]): TensorSpec => ({
  name,
  dtype,
  dims,
});

describe('exampleInput', () => {
  it('GIVEN a signature THEN one row of zeros (false for bool), dynamic dimensions 1', () => {
    expect(
      exampleInput([
        spec('x', 'float32', [null, 2, null]),
        spec('flag', 'bool', [null]),
        spec('ids', 'int64', [null, 3]),
      ]),
    ).toEqual({ x: [[[0], [0]]], flag: [false], ids: [[0, 0, 0]] });
  });

  it('GIVEN an image-sized input THEN it is still given; beyond the limit, left out', () => {
    const image = exampleInput([spec('x', 'float32', [null, 3, 48, 192])]) as { x: number[][][][] };
    expect(image.x[0]?.[2]?.[47]).toHaveLength(192);
    expect(exampleInput([spec('x', 'float32', [null, MAX_EXAMPLE_ELEMENTS + 1])])).toBeUndefined();
    // The limit is over all inputs together.
    const half = MAX_EXAMPLE_ELEMENTS / 2 + 1;
    expect(
      exampleInput([spec('a', 'float32', [null, half]), spec('b', 'float32', [null, half])]),
    ).toBeUndefined();
  });
});
