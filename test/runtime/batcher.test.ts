import { describe, expect, it } from 'vitest';
import { Batcher, type Runner } from '../../src/runtime/batcher.js';
import { CostModel } from '../../src/runtime/cost-model.js';
import { HttpError } from '../../src/runtime/http-errors.js';
import type { HostTensor } from '../../src/runtime/tensor.js';
import type { RunResult } from '../../src/runtime/worker-pool.js';

/** Inference threads under the test's control: each job waits until the test releases it. */
class ManualRunner implements Runner {
  readonly jobs: {
    feeds: Readonly<Record<string, HostTensor>>;
    release: (fail?: string) => void;
  }[] = [];
  private busy = 0;
  batcher: Batcher | undefined;
  constructor(
    readonly size = 1,
    /** What each job reports as its time inside onnxruntime. */
    readonly computeMs = 1,
  ) {}
  idleCount(): number {
    return Math.max(0, this.size - this.busy);
  }
  queueableCount(): number {
    return 0;
  }
  run(_model: string, feeds: Readonly<Record<string, HostTensor>>): Promise<RunResult> {
    this.busy += 1;
    return new Promise((resolve, reject) => {
      this.jobs.push({
        feeds,
        release: (fail) => {
          this.busy -= 1;
          if (fail !== undefined) reject(new Error(fail));
          else
            resolve({ outputs: { y: double(feeds.x as HostTensor) }, computeMs: this.computeMs });
          // The pool announces a free thread after the result is delivered.
          setImmediate(() => this.batcher?.schedule());
        },
      });
    });
  }
  /** Releases jobs one by one until none is left, letting results settle in between. */
  async releaseAll(): Promise<void> {
    for (let index = 0; index < 1000; index += 1) {
      const job = this.jobs.find((candidate) => !released.has(candidate));
      if (job === undefined) return;
      released.add(job);
      job.release();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
const released = new WeakSet<object>();

function double(tensor: HostTensor): HostTensor {
  return {
    dtype: 'float32',
    dims: [...tensor.dims],
    data: (tensor.data as Float32Array).map((value) => value * 2),
  };
}

/** `rows` rows of width 2 holding `[first, first+1], [first+2, first+3], ...`. */
function rowsFrom(first: number, rows: number, width = 2): HostTensor {
  return {
    dtype: 'float32',
    dims: [rows, width],
    data: Float32Array.from({ length: rows * width }, (_, i) => first + i),
  };
}

/**
 * A batcher on a frozen clock (unless a test gives its own): the cost model and arrival rate
 * then do not depend on how fast this machine runs the test, so dispatch decisions are fixed.
 */
function makeBatcher(
  runner: ManualRunner,
  options: Partial<ConstructorParameters<typeof Batcher>[0]> = {},
): Batcher {
  const batcher = new Batcher({
    now: () => 0,
    api: 'test',
    model: 'm',
    inputNames: ['x'],
    batchable: true,
    maxBatchSize: 4,
    maxLatencyMs: 60_000,
    maxQueueRows: 100,
    runner,
    ...options,
  });
  runner.batcher = batcher;
  return batcher;
}

const values = (tensor: HostTensor | undefined) => Array.from((tensor?.data ?? []) as Float32Array);

describe('Batcher', () => {
  it('GIVEN requests queued while the thread is busy WHEN it frees THEN they share one batch and each caller gets its own rows back', async () => {
    const runner = new ManualRunner();
    const batcher = makeBatcher(runner);
    const first = batcher.submit([rowsFrom(0, 1)], 1); // dispatched at once: nothing else is coming
    const queued = [
      batcher.submit([rowsFrom(100, 1)], 1),
      batcher.submit([rowsFrom(200, 2)], 2),
      batcher.submit([rowsFrom(300, 1)], 1),
    ];
    // A full batch is queued on the thread behind the running one at once.
    expect(runner.jobs.map((job) => job.feeds.x?.dims[0])).toEqual([1, 4]);
    await runner.releaseAll();
    const results = await Promise.all([first, ...queued]);
    expect(runner.jobs.map((job) => job.feeds.x?.dims[0])).toEqual([1, 4]);
    expect(values(results[1]?.outputs.y)).toEqual([200, 202]);
    expect(values(results[2]?.outputs.y)).toEqual([400, 402, 404, 406]);
    expect(values(results[3]?.outputs.y)).toEqual([600, 602]);
    expect(results[2]?.batchSizes).toEqual([4]);
  });

  it('GIVEN a request with more rows than a batch WHEN dispatched THEN it is split across batches and reassembled in order', async () => {
    const runner = new ManualRunner();
    const batcher = makeBatcher(runner);
    const blocker = batcher.submit([rowsFrom(0, 1)], 1);
    const big = batcher.submit([rowsFrom(1000, 10)], 10);
    const small = batcher.submit([rowsFrom(5000, 1)], 1);
    await runner.releaseAll();
    await blocker;
    const [bigResult, smallResult] = await Promise.all([big, small]);
    expect(runner.jobs.map((job) => job.feeds.x?.dims[0])).toEqual([1, 4, 4, 3]);
    expect(bigResult.outputs.y?.dims).toEqual([10, 2]);
    expect(values(bigResult.outputs.y)).toEqual(
      Array.from({ length: 20 }, (_, i) => (1000 + i) * 2),
    );
    expect(bigResult.batchSizes).toEqual([4, 4, 3]);
    expect(values(smallResult.outputs.y)).toEqual([10000, 10002]);
  });

  it('GIVEN a full batch of rows WHEN the last one arrives THEN it leaves without waiting for the latency budget', () => {
    const runner = new ManualRunner();
    const batcher = makeBatcher(runner, { maxBatchSize: 2 });
    void batcher.submit([rowsFrom(0, 2)], 2);
    expect(runner.jobs).toHaveLength(1);
    expect(runner.jobs[0]?.feeds.x?.dims[0]).toBe(2);
  });

  it('GIVEN rows of different shapes THEN they never share a batch', async () => {
    const runner = new ManualRunner();
    const batcher = makeBatcher(runner);
    const blocker = batcher.submit([rowsFrom(0, 1)], 1);
    const narrow = batcher.submit([rowsFrom(10, 1, 2)], 1);
    const wide = batcher.submit([rowsFrom(20, 1, 3)], 1);
    const narrow2 = batcher.submit([rowsFrom(30, 1, 2)], 1);
    await runner.releaseAll();
    await Promise.all([blocker, narrow, wide, narrow2]);
    expect(runner.jobs.map((job) => job.feeds.x?.dims)).toEqual([
      [1, 2],
      [2, 2],
      [1, 3],
    ]);
    expect(values((await wide).outputs.y)).toEqual([40, 42, 44]);
  });

  it('GIVEN a request that waits past its deadline behind a full next batch THEN it gets 503 QUEUE_TIMEOUT and is never run, while those of the next batch are kept', async () => {
    const runner = new ManualRunner();
    const batcher = makeBatcher(runner, {
      maxLatencyMs: 20,
      now: () => performance.now(),
      maxBatchesAhead: 1,
    });
    const running = batcher.submit([rowsFrom(0, 1)], 1);
    const behind = batcher.submit([rowsFrom(500, 4)], 4);
    // These four fill the next batch: past their deadline too, they are kept, since refusing
    // them would not shorten anyone's wait.
    const next = [1, 2, 3, 4].map((index) => batcher.submit([rowsFrom(index * 10, 1)], 1));
    const late = batcher.submit([rowsFrom(100, 1)], 1);
    const error = await late.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).code).toBe('QUEUE_TIMEOUT');
    expect((error as HttpError).statusCode).toBe(503);
    expect((error as HttpError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    await runner.releaseAll();
    await Promise.all([running, behind]);
    expect((await Promise.all(next)).map((result) => values(result.outputs.y)[0])).toEqual([
      20, 40, 60, 80,
    ]);
    expect(runner.jobs).toHaveLength(3);
    expect(batcher.depth).toBe(0);
  });

  it('GIVEN a full queue THEN new requests get 503 OVERLOADED with Retry-After, and oversized ones 413 TOO_MANY_ROWS', async () => {
    const runner = new ManualRunner();
    const batcher = makeBatcher(runner, { maxQueueRows: 5, maxBatchesAhead: 1 });
    const accepted = [
      batcher.submit([rowsFrom(0, 1)], 1),
      batcher.submit([rowsFrom(0, 4)], 4),
      batcher.submit([rowsFrom(0, 3)], 3),
      batcher.submit([rowsFrom(0, 2)], 2),
    ];
    const refused = (await batcher
      .submit([rowsFrom(0, 1)], 1)
      .catch((reason: unknown) => reason)) as HttpError;
    expect(refused.code).toBe('OVERLOADED');
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    const tooBig = (await batcher
      .submit([rowsFrom(0, 6)], 6)
      .catch((reason: unknown) => reason)) as HttpError;
    expect(tooBig.code).toBe('TOO_MANY_ROWS');
    await runner.releaseAll();
    await Promise.all(accepted);
  });

  it('GIVEN a thread frees after the head request passed its deadline (the event loop was late) THEN the request runs instead of being refused', async () => {
    const runner = new ManualRunner();
    let clock = 0;
    const batcher = makeBatcher(runner, { maxLatencyMs: 10, now: () => clock });
    const blocker = batcher.submit([rowsFrom(0, 1)], 1);
    const late = batcher.submit([rowsFrom(100, 1)], 1);
    clock = 50;
    await runner.releaseAll();
    await blocker;
    expect(values((await late).outputs.y)).toEqual([200, 202]);
    expect(runner.jobs).toHaveLength(2);
  });

  it('GIVEN a large request queued before small ones THEN they share each batch, half and half, and all are answered', async () => {
    const runner = new ManualRunner();
    const batcher = makeBatcher(runner, { maxBatchSize: 4, maxBatchesAhead: 1 });
    const blocker = batcher.submit([rowsFrom(0, 1)], 1);
    const filler = batcher.submit([rowsFrom(0, 4)], 4);
    const large = batcher.submit([rowsFrom(1000, 12)], 12);
    const small = [1, 2, 3, 4].map((index) => batcher.submit([rowsFrom(index * 100, 1)], 1));
    const order: string[] = [];
    void large.then(() => order.push('large'));
    for (const [index, promise] of small.entries())
      void promise.then(() => order.push(`small${index}`));
    await runner.releaseAll();
    await Promise.all([blocker, filler, large, ...small]);
    // The batches after those two: 2 rows of the large request and 2 small requests, twice.
    expect(runner.jobs.map((job) => job.feeds.x?.dims[0])).toEqual([1, 4, 4, 4, 4, 4]);
    expect(values(runner.jobs[2]?.feeds.x)).toEqual([1000, 1001, 1002, 1003, 100, 101, 200, 201]);
    expect(order.indexOf('small3')).toBeLessThan(order.indexOf('large'));
    expect(values((await large).outputs.y)).toEqual(
      Array.from({ length: 24 }, (_, i) => (1000 + i) * 2),
    );
  });

  it('GIVEN two large requests THEN both start in the same batch rather than one waiting for the other', async () => {
    const runner = new ManualRunner();
    const batcher = makeBatcher(runner, { maxBatchSize: 4, maxBatchesAhead: 1 });
    const all = [
      batcher.submit([rowsFrom(0, 1)], 1),
      batcher.submit([rowsFrom(0, 4)], 4),
      batcher.submit([rowsFrom(100, 10)], 10),
      batcher.submit([rowsFrom(200, 10)], 10),
    ];
    await runner.releaseAll();
    await Promise.all(all);
    // The third batch: 3 rows of the first (its share, then what was left), 1 of the second.
    expect(values(runner.jobs[2]?.feeds.x)).toEqual([100, 101, 102, 103, 104, 105, 200, 201]);
  });

  it('GIVEN a queue that is not full THEN a request with many rows is admitted even if it overshoots the bound', async () => {
    const runner = new ManualRunner();
    const batcher = makeBatcher(runner, { maxQueueRows: 10, maxBatchesAhead: 1 });
    // 1 row runs, 4 of the 6 are queued behind it on the thread, 2 wait here.
    const accepted = [batcher.submit([rowsFrom(0, 1)], 1), batcher.submit([rowsFrom(0, 6)], 6)];
    accepted.push(batcher.submit([rowsFrom(0, 8)], 8));
    const refused = (await batcher
      .submit([rowsFrom(0, 1)], 1)
      .catch((reason: unknown) => reason)) as HttpError;
    expect(refused.code).toBe('OVERLOADED');
    await runner.releaseAll();
    expect((await Promise.all(accepted)).map((result) => result.outputs.y?.dims[0])).toEqual([
      1, 6, 8,
    ]);
  });

  it('GIVEN the model fails on one batch THEN only that batch fails and later batches succeed', async () => {
    const runner = new ManualRunner();
    const batcher = makeBatcher(runner, { maxBatchSize: 2 });
    const blocker = batcher.submit([rowsFrom(0, 1)], 1);
    const failing = [batcher.submit([rowsFrom(1, 1)], 1), batcher.submit([rowsFrom(2, 1)], 1)].map(
      (promise) => promise.catch((reason: unknown) => reason as HttpError),
    );
    const next = batcher.submit([rowsFrom(7, 1)], 1);
    const release = async (index: number, fail?: string) => {
      const job = runner.jobs[index];
      released.add(job as object);
      job?.release(fail);
      await new Promise((resolve) => setImmediate(resolve));
    };
    await release(0);
    await blocker;
    expect(runner.jobs[1]?.feeds.x?.dims[0]).toBe(2);
    await release(1, 'onnxruntime exploded');
    const errors = (await Promise.all(failing)) as HttpError[];
    expect(errors.map((error) => error.code)).toEqual(['INFERENCE_FAILED', 'INFERENCE_FAILED']);
    expect(errors[0]?.message).toContain('onnxruntime exploded');
    await runner.releaseAll();
    expect(values((await next).outputs.y)).toEqual([14, 16]);
  });

  it('GIVEN batching is off THEN each request runs alone, multi-row requests whole', async () => {
    const runner = new ManualRunner();
    const batcher = makeBatcher(runner, { batchable: false });
    const results = [
      batcher.submit([rowsFrom(0, 1)], 1),
      batcher.submit([rowsFrom(10, 6)], 6),
      batcher.submit([rowsFrom(20, 1)], 1),
    ];
    await runner.releaseAll();
    await Promise.all(results);
    expect(runner.jobs.map((job) => job.feeds.x?.dims[0])).toEqual([1, 6, 1]);
  });

  it('GIVEN batching is off and the thread busy THEN later requests queue on it behind the running one, up to what max_latency_ms holds', async () => {
    const runner = new ManualRunner();
    // A run costs 2 ms (seeded below) and the budget is 5 ms: the running job plus 2 behind it.
    const batcher = makeBatcher(runner, { batchable: false, maxLatencyMs: 5 });
    batcher.cost.observe(1, 2);
    const results = [0, 1, 2, 3, 4].map((index) => batcher.submit([rowsFrom(index, 1)], 1));
    // Sent without waiting for the first to come back: the thread never idles between them.
    expect(runner.jobs).toHaveLength(3);
    expect(batcher.depth).toBe(2);
    await runner.releaseAll();
    await Promise.all(results);
    expect(runner.jobs).toHaveLength(5);
  });

  it('GIVEN one late timer long ago THEN its margin has faded: a small batch waits for company again instead of leaving at once', async () => {
    // Batches cost 10 ms whatever their size: waiting for more rows pays while rows come fast.
    const runner = new ManualRunner(1, 10);
    let clock = 0;
    const batcher = makeBatcher(runner, { maxBatchSize: 64, maxLatencyMs: 20, now: () => clock });
    batcher.cost.observe(1, 10);
    batcher.cost.observe(64, 10);
    /** Rows arriving fast (one 10-row request, run at once and released), then one more. */
    const burstThenOne = async (): Promise<number> => {
      const burst = batcher.submit([rowsFrom(0, 10)], 10);
      await runner.releaseAll();
      await burst;
      const before = runner.jobs.length;
      void batcher.submit([rowsFrom(0, 1)], 1);
      return runner.jobs.length - before;
    };
    // Nothing late yet: the single row waits (a timer is armed).
    expect(await burstThenOne()).toBe(0);
    // That timer fires 120 ms late (the event loop was blocked): a 12 ms lateness margin, so
    // twice it exceeds the 20 ms budget and every batch leaves at once.
    clock += 130;
    await new Promise((resolve) => setTimeout(resolve, 40));
    await runner.releaseAll();
    expect(await burstThenOne()).toBe(1);
    await runner.releaseAll();
    // Five seconds without a late timer: the margin has faded and batching works again.
    clock += 5_000;
    expect(await burstThenOne()).toBe(0);
    clock += 100;
    await new Promise((resolve) => setTimeout(resolve, 40));
    await runner.releaseAll();
  });

  it('GIVEN queued work WHEN drained THEN everything runs and drain resolves once idle', async () => {
    const runner = new ManualRunner();
    const batcher = makeBatcher(runner);
    const results = [batcher.submit([rowsFrom(0, 1)], 1), batcher.submit([rowsFrom(1, 1)], 1)];
    let drained = false;
    const drain = batcher.drain().then(() => (drained = true));
    expect(drained).toBe(false);
    await runner.releaseAll();
    await drain;
    await Promise.all(results);
    expect(drained).toBe(true);
  });
});

describe('CostModel', () => {
  it('GIVEN batches that cost 0.5 ms per row plus 2 ms THEN it predicts that line', () => {
    const model = new CostModel();
    for (const rows of [1, 4, 8, 16, 32, 2, 7]) model.observe(rows, 0.5 * rows + 2);
    expect(model.parameters.slopeMs).toBeCloseTo(0.5, 6);
    expect(model.parameters.interceptMs).toBeCloseTo(2, 6);
    expect(model.predictMs(64)).toBeCloseTo(34, 6);
  });

  it('GIVEN the machine slows down THEN recent batches move the fit', () => {
    const model = new CostModel(16);
    for (let i = 0; i < 16; i += 1) model.observe(i % 2 === 0 ? 1 : 32, i % 2 === 0 ? 1 : 10);
    const before = model.predictMs(32);
    for (let i = 0; i < 16; i += 1) model.observe(i % 2 === 0 ? 1 : 32, i % 2 === 0 ? 2 : 40);
    expect(model.predictMs(32)).toBeGreaterThan(before * 3);
  });
});
