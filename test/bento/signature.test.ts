import { describe, expect, it } from 'vitest';
import { batchingProblem, resolveSignature } from '../../src/bento/signature.js';

const declared = {
  inputs: [{ name: 'x', type: 'float32', shape: ['batch', 3, 'h', 'w'] as (string | number)[] }],
  outputs: [{ name: 'y', type: 'float32', shape: ['batch', 2] as (string | number)[] }],
};

describe('resolveSignature', () => {
  it('GIVEN no overrides THEN symbolic dims are dynamic and numbers fixed', () => {
    const { signature, problems } = resolveSignature(declared, {});
    expect(problems).toEqual([]);
    expect(signature.inputs[0]).toEqual({
      name: 'x',
      dtype: 'float32',
      dims: [null, 3, null, null],
    });
  });

  it('GIVEN an override pinning dynamic dims THEN the pinned shape is used', () => {
    const { signature } = resolveSignature(declared, {
      inputs: { x: { shape: [-1, 3, 48, 192] } },
    });
    expect(signature.inputs[0]?.dims).toEqual([null, 3, 48, 192]);
  });

  it('GIVEN overrides that contradict the model THEN each is a problem naming the tensor', () => {
    const { problems } = resolveSignature(declared, {
      inputs: { x: { shape: [-1, 4, 48, 192] }, z: { dtype: 'int64' } },
      outputs: { y: { shape: [-1] } },
    });
    expect(problems.map((p) => `${p.side}.${p.name}`)).toEqual([
      'inputs.z',
      'inputs.x',
      'outputs.y',
    ]);
    expect(problems[1]?.message).toContain('dimension 1 is fixed to 3');
    expect(problems[2]?.message).toContain('rank 1');
  });

  it('GIVEN an element type JSON cannot carry THEN it is a problem', () => {
    const { problems } = resolveSignature(
      { inputs: [{ name: 's', type: 'string', shape: [1] }], outputs: [] },
      {},
    );
    expect(problems[0]?.message).toContain('element type string');
  });

  it('GIVEN a fixed first dimension THEN batching is refused with the reason', () => {
    const fixed = resolveSignature(
      {
        inputs: [{ name: 'x', type: 'float32', shape: [1, 4] }],
        outputs: [{ name: 'y', type: 'float32', shape: [1] }],
      },
      {},
    );
    expect(batchingProblem(fixed.signature)).toContain('"x" has shape [1, 4]');
    expect(batchingProblem(resolveSignature(declared, {}).signature)).toBeUndefined();
  });
});
