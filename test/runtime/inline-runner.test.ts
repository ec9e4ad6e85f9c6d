import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InlineRunner } from '../../src/runtime/inline-runner.js';
import type { HostTensor } from '../../src/runtime/tensor.js';
import { InferenceError } from '../../src/runtime/worker-pool.js';
import { repoRoot } from '../helpers/run-cli.js';

const iris = (rows: number): HostTensor => ({
  dtype: 'float32',
  dims: [rows, 4],
  data: Float32Array.from({ length: rows * 4 }, (_, index) => (index % 7) / 2),
});

const openIris = (holdMaxMs: number) =>
  InlineRunner.open(
    {
      models: [{ name: 'iris', file: join(repoRoot, 'examples/iris/models/iris.onnx') }],
      intraOpThreads: 1,
      device: 'cpu',
      deviceFallback: 'none',
    },
    { holdMaxMs },
  );

describe('InlineRunner', () => {
  let runner: InlineRunner;
  beforeAll(async () => {
    // No compute cap: on a busy machine one iris run can take over the default 1 ms, and the
    // hold is what this suite checks (the cap has its own test below).
    runner = await openIris(Infinity);
  });
  afterAll(async () => {
    await runner.close();
  });

  it('GIVEN a compute cap the held results reach THEN each result goes back at once, while the runs after it still wait', async () => {
    const capped = await openIris(0);
    try {
      const runs = [1, 2, 3].map((rows) => capped.run('iris', { input: iris(rows) }));
      const busyWhenFirstCameBack = await runs[0]?.then(() => capped.busyCount());
      expect(busyWhenFirstCameBack).toBe(1);
      await Promise.all(runs);
      expect(capped.idleCount()).toBe(1);
    } finally {
      await capped.close();
    }
  });

  it('GIVEN runs queued in one turn THEN each result comes back once all of them ran, so their answers leave together', async () => {
    const runs = [1, 2, 3].map((rows) => runner.run('iris', { input: iris(rows) }));
    expect(runner.busyCount()).toBe(1);
    expect(runner.idleCount()).toBe(0);
    const busyWhenFirstCameBack = await runs[0]?.then(() => runner.busyCount());
    expect(busyWhenFirstCameBack).toBe(0);
    const results = await Promise.all(runs);
    expect(results.map((result) => result.outputs.label?.dims[0] ?? result.outputs)).toEqual([
      1, 2, 3,
    ]);
    for (const result of results) expect(result.computeMs).toBeGreaterThan(0);
    expect(runner.idleCount()).toBe(1);
  });

  it('GIVEN a run onnxruntime refuses, or an unknown model, THEN an InferenceError, and the runner carries on', async () => {
    const wrongWidth: HostTensor = { dtype: 'float32', dims: [1, 3], data: new Float32Array(3) };
    await expect(runner.run('iris', { input: wrongWidth })).rejects.toBeInstanceOf(InferenceError);
    await expect(runner.run('nope', { input: iris(1) })).rejects.toThrow(
      'no session for model nope',
    );
    expect(runner.idleCount()).toBe(1);
    await expect(runner.run('iris', { input: iris(1) })).resolves.toBeDefined();
  });
});
