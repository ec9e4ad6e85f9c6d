/**
 * Where inference runs (docs/runtime.md, "Where inference runs"): the cores a process may use,
 * and the rule that puts batches on the HTTP thread.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  INLINE_MAX_BATCH_MS,
  INLINE_MAX_MODEL_MB,
  inlineDecision,
  settingsDecision,
} from '../../src/runtime/service.js';
import { availableCores, readSettings, RuntimeSettingsError } from '../../src/runtime/settings.js';

const dir = mkdtempSync(join(tmpdir(), 'bentoctl-placement-'));
function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('availableCores', () => {
  it('GIVEN a cgroup CPU quota THEN the cores are the quota rounded up, never more than the CPUs', () => {
    const cpus = availableParallelism();
    expect(availableCores(file('one', '100000 100000\n'))).toBe(1);
    expect(availableCores(file('half', '50000 100000\n'))).toBe(1);
    expect(availableCores(file('one-and-half', '150000 100000\n'))).toBe(Math.min(cpus, 2));
    expect(availableCores(file('many', '6400000 100000\n'))).toBe(cpus);
  });

  it('GIVEN no quota (max) or no cgroup v2 file THEN the CPUs the process may run on', () => {
    expect(availableCores(file('max', 'max 100000\n'))).toBe(availableParallelism());
    expect(availableCores(join(dir, 'missing'))).toBe(availableParallelism());
  });

  it('GIVEN workers THEN each process gets its share of the cores, at least one', () => {
    expect(readSettings({}, {}, 4).coresPerProcess).toBe(4);
    expect(readSettings({}, { workers: 2 }, 4).coresPerProcess).toBe(2);
    expect(readSettings({}, { workers: 3 }, 2).coresPerProcess).toBe(1);
  });

  it('GIVEN BENTOCTL_INLINE_INFERENCE THEN auto, on and off are accepted and anything else names the variable', () => {
    expect(readSettings({}).inlineInference).toBe('auto');
    expect(readSettings({ BENTOCTL_INLINE_INFERENCE: 'on' }).inlineInference).toBe('on');
    expect(() => readSettings({ BENTOCTL_INLINE_INFERENCE: 'yes' })).toThrow(RuntimeSettingsError);
    expect(() => readSettings({ BENTOCTL_INLINE_INFERENCE: 'yes' })).toThrow(
      /BENTOCTL_INLINE_INFERENCE="yes"/,
    );
  });
});

describe('inlineDecision', () => {
  const small = file('small.onnx', Buffer.alloc(1024));
  const oneCore = {
    inlineInference: 'auto',
    coresPerProcess: 1,
    device: 'cpu',
    inferenceThreads: 1,
  } as const;
  const fast = [{ api: 'classify', largestBatchMs: 0.06, maxBatchSize: 32 }];

  it('GIVEN one core, CPU, small models and short batches THEN batches run on the HTTP thread', () => {
    const decision = inlineDecision(oneCore, fast, [small]);
    expect(decision.run).toBe(true);
    expect(decision.why).toContain('one core per process');
  });

  it('GIVEN any one reason against it THEN the inference threads, and the reason is given', () => {
    const cases: [Parameters<typeof inlineDecision>, RegExp][] = [
      [[{ ...oneCore, coresPerProcess: 2 }, fast, [small]], /2 cores per process/],
      [[{ ...oneCore, device: 'gpu' }, fast, [small]], /device gpu/],
      [[{ ...oneCore, inferenceThreads: 2 }, fast, [small]], /BENTOCTL_INFERENCE_THREADS=2/],
      [
        [
          oneCore,
          [...fast, { api: 'embed', largestBatchMs: INLINE_MAX_BATCH_MS + 0.5, maxBatchSize: 32 }],
          [small],
        ],
        /api embed: a batch of 32 takes 2.5 ms/,
      ],
      [
        [oneCore, [{ api: 'seq', largestBatchMs: undefined, maxBatchSize: 32 }], [small]],
        /api seq was not measured/,
      ],
    ];
    for (const [args, why] of cases) {
      const decision = inlineDecision(...args);
      expect(decision.run, String(why)).toBe(false);
      expect(decision.why).toMatch(why);
    }
  });

  it('GIVEN settings that decide alone THEN the warm-up need not time extra passes; one core on auto needs them', () => {
    expect(settingsDecision(oneCore)).toBeUndefined();
    expect(settingsDecision({ ...oneCore, coresPerProcess: 2 })?.run).toBe(false);
    expect(settingsDecision({ ...oneCore, inlineInference: 'on' })?.run).toBe(true);
  });

  it('GIVEN a model file over the limit THEN the inference threads: opening it would block the HTTP thread', () => {
    const big = file('big.onnx', Buffer.alloc(INLINE_MAX_MODEL_MB * 1_048_576 + 1));
    const decision = inlineDecision(oneCore, fast, [small, big]);
    expect(decision).toEqual({
      run: false,
      why: expect.stringContaining('big.onnx is 64 MB') as string,
    });
  });

  it('GIVEN BENTOCTL_INLINE_INFERENCE on or off THEN that, whatever was measured', () => {
    const slow = [{ api: 'x', largestBatchMs: 500, maxBatchSize: 32 }];
    expect(
      inlineDecision({ ...oneCore, inlineInference: 'on', coresPerProcess: 8 }, slow, [small]).run,
    ).toBe(true);
    expect(inlineDecision({ ...oneCore, inlineInference: 'off' }, fast, [small]).run).toBe(false);
  });
});
