/**
 * Adaptive batching for one API: requests queue here and go to the inference threads as one
 * onnxruntime call per batch. A batch leaves when it is full, when its oldest request would
 * otherwise miss its latency budget (using the fitted cost of the batch), or when no other
 * request is expected in time to be worth the wait. Requests with many rows are split across
 * batches and put back together in order; each caller gets exactly its own rows back.
 */
import { CostModel } from './cost-model.js';
import { HttpError } from './http-errors.js';
import { concatRows, sliceRows, type HostTensor } from './tensor.js';
import type { RunResult } from './worker-pool.js';

/** What a batcher needs from the inference threads. */
export interface Runner {
  idleCount(): number;
  readonly size: number;
  run(model: string, feeds: Readonly<Record<string, HostTensor>>): Promise<RunResult>;
}

export interface BatcherOptions {
  readonly api: string;
  readonly model: string;
  readonly inputNames: readonly string[];
  readonly batchable: boolean;
  readonly maxBatchSize: number;
  /** Longest a request waits for its batch to start before it is refused with 503. */
  readonly maxLatencyMs: number;
  readonly maxQueueRows: number;
  readonly runner: Runner;
  readonly onBatch?: (batch: {
    readonly rows: number;
    readonly wallMs: number;
    readonly computeMs: number;
  }) => void;
  readonly now?: () => number;
}

export interface BatchedResult {
  readonly outputs: Readonly<Record<string, HostTensor>>;
  /** Size of each batch this request's rows went in. */
  readonly batchSizes: readonly number[];
  readonly queueMs: number;
}

interface Pending {
  readonly tensors: readonly HostTensor[];
  readonly rows: number;
  /** Requests batch together only when their rows have the same shape. */
  readonly rowShape: string;
  readonly arrivedAt: number;
  readonly deadline: number;
  taken: number;
  done: number;
  firstStart: number | undefined;
  readonly parts: {
    readonly start: number;
    readonly outputs: Readonly<Record<string, HostTensor>>;
  }[];
  readonly batchSizes: number[];
  settled: boolean;
  readonly resolve: (result: BatchedResult) => void;
  readonly reject: (error: Error) => void;
}

interface Chunk {
  readonly item: Pending;
  readonly start: number;
  readonly rows: number;
}

/**
 * Below this share of thread time, batches leave as soon as a thread is free. Not 1.0 (wait
 * only when saturated): the inference threads share the cores with the HTTP thread, so
 * fewer, larger calls are worth having well before the threads saturate.
 */
const TARGET_UTILIZATION = 0.5;

/** Arrival rate memory: the estimate halves in about 70 ms without arrivals. */
const RATE_TIME_CONSTANT_MS = 100;

export class Batcher {
  readonly cost = new CostModel();
  private readonly queue: Pending[] = [];
  private queuedRows = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private rowsPerMs = 0;
  /** Recent lateness of our timers (event loop busy), in ms. */
  private timerLatenessMs = 0;
  private lastArrival = 0;
  private draining = false;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly now: () => number;

  constructor(private readonly options: BatcherOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  get api(): string {
    return this.options.api;
  }

  get batchable(): boolean {
    return this.options.batchable;
  }

  get maxBatchSize(): number {
    return this.options.maxBatchSize;
  }

  /** Rows waiting to be dispatched. */
  get depth(): number {
    return this.queuedRows;
  }

  /** Queues a request; resolves with its outputs, or rejects with an HttpError. */
  submit(tensors: readonly HostTensor[], rows: number): Promise<BatchedResult> {
    const { maxQueueRows } = this.options;
    if (rows > maxQueueRows) {
      return Promise.reject(
        new HttpError(
          'TOO_MANY_ROWS',
          `the request has ${rows} rows; at most ${maxQueueRows} rows fit in the queue of "${this.options.api}"`,
        ),
      );
    }
    if (this.queuedRows + rows > maxQueueRows) {
      return Promise.reject(
        new HttpError(
          'OVERLOADED',
          `the queue of "${this.options.api}" is full (${this.queuedRows} rows waiting)`,
          this.retryAfterSeconds(),
        ),
      );
    }
    const now = this.now();
    this.noteArrival(now, rows);
    return new Promise<BatchedResult>((resolve, reject) => {
      this.queue.push({
        tensors,
        rows,
        rowShape: this.options.batchable ? rowShapeKey(tensors) : '',
        arrivedAt: now,
        // Unbatched requests wait only for a free thread; the queue bound protects them.
        deadline: this.options.batchable ? now + this.options.maxLatencyMs : Infinity,
        taken: 0,
        done: 0,
        firstStart: undefined,
        parts: [],
        batchSizes: [],
        settled: false,
        resolve,
        reject,
      });
      this.queuedRows += rows;
      this.schedule();
    });
  }

  /** Dispatches whatever can go now; called on arrivals, timers and free threads. */
  schedule(): void {
    const now = this.now();
    this.expire(now);
    while (this.queue.length > 0 && this.options.runner.idleCount() > 0) {
      const waitUntil = this.dispatchTime(now);
      if (waitUntil > now) {
        this.arm(waitUntil);
        return;
      }
      this.dispatch(now);
    }
    // Threads busy: wake up when the head request's deadline passes, to refuse it in time.
    const head = this.queue.find((item) => item.taken === 0);
    if (head !== undefined && head.deadline !== Infinity) this.arm(head.deadline);
  }

  /** After SIGTERM: dispatch without waiting for fuller batches, and report when empty. */
  drain(): Promise<void> {
    this.draining = true;
    this.schedule();
    return this.idle();
  }

  /**
   * Refuses everything still queued; running batches finish. Past the shutdown grace period by
   * default, or with `reason` when queued work can never run (every inference thread died).
   */
  abandon(
    reason: () => HttpError = () =>
      new HttpError('SHUTTING_DOWN', 'the server stopped before this request could run', 1),
  ): void {
    for (const item of this.queue.splice(0)) {
      if (item.settled) continue;
      item.settled = true;
      item.reject(reason());
    }
    this.queuedRows = 0;
    this.afterBatch();
  }

  idle(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  retryAfterSeconds(): number {
    const batches = Math.ceil(this.queuedRows / this.options.maxBatchSize) + 1;
    const ms =
      (batches * this.cost.predictMs(this.options.maxBatchSize)) /
      Math.max(1, this.options.runner.size);
    return Math.max(1, Math.ceil(ms / 1000));
  }

  /** When the head batch should leave: now, or a later time worth waiting for. */
  private dispatchTime(now: number): number {
    const head = this.queue[0];
    if (head === undefined || !this.options.batchable || this.draining) return now;
    const { maxBatchSize } = this.options;
    let rows = 0;
    for (const item of this.queue) {
      if (item.rowShape === head.rowShape) rows += item.rows - item.taken;
      if (rows >= maxBatchSize) return now;
    }
    // The oldest request must start before its deadline. Timers fire late when the event loop
    // is busy, so keep a margin of twice the lateness seen recently.
    const latestStart = head.deadline - 1 - 2 * this.timerLatenessMs;
    if (latestStart <= now) return now;
    // Waiting only pays when batches this small would keep the threads busy: if at the current
    // arrival rate a batch of `rows` would occupy the threads less than TARGET_UTILIZATION of
    // the time, send it now (bigger batches would add latency and save nothing). Otherwise grow
    // the batch: fewer, larger calls cost less CPU, which the HTTP thread shares.
    const rate = this.currentRate(now);
    if (rate <= 0) return now;
    const busyShare =
      (this.cost.predictMs(rows) * rate) / (rows * Math.max(1, this.options.runner.size));
    if (busyShare < TARGET_UTILIZATION) return now;
    // Re-decided on every arrival; if rows stop coming, the timer sends what is there.
    return Math.min(latestStart, now + 2 / rate);
  }

  private dispatch(now: number): void {
    const head = this.queue[0];
    if (head === undefined) return;
    const limit = this.options.batchable ? this.options.maxBatchSize : head.rows;
    const chunks: Chunk[] = [];
    let rows = 0;
    for (const item of this.queue) {
      if (rows >= limit) break;
      if (item.rowShape !== head.rowShape) continue;
      if (!this.options.batchable && chunks.length > 0) break;
      const take = Math.min(item.rows - item.taken, limit - rows);
      chunks.push({ item, start: item.taken, rows: take });
      item.taken += take;
      item.firstStart ??= now;
      rows += take;
    }
    for (const chunk of chunks) {
      if (chunk.item.taken === chunk.item.rows)
        this.queue.splice(this.queue.indexOf(chunk.item), 1);
    }
    this.queuedRows -= rows;
    const feeds: Record<string, HostTensor> = {};
    this.options.inputNames.forEach((name, index) => {
      feeds[name] = concatRows(
        chunks.map((chunk) => {
          const tensor = chunk.item.tensors[index] as HostTensor;
          return chunk.rows === chunk.item.rows
            ? tensor
            : sliceRows(tensor, chunk.start, chunk.start + chunk.rows);
        }),
      );
    });
    this.inFlight += 1;
    const started = this.now();
    this.options.runner.run(this.options.model, feeds).then(
      (result) => this.complete(chunks, rows, result, this.now() - started),
      (error: unknown) => this.failChunks(chunks, error),
    );
  }

  private complete(
    chunks: readonly Chunk[],
    rows: number,
    result: RunResult,
    wallMs: number,
  ): void {
    this.inFlight -= 1;
    this.cost.observe(rows, wallMs);
    this.options.onBatch?.({ rows, wallMs, computeMs: result.computeMs });
    const wrong = this.options.batchable
      ? Object.entries(result.outputs).find(([, tensor]) => tensor.dims[0] !== rows)
      : undefined;
    if (wrong !== undefined) {
      this.failChunks(
        chunks,
        new Error(
          `output "${wrong[0]}" has ${wrong[1].dims[0] ?? 'no'} rows for a batch of ${rows}; the model is not batchable (set batchable: false)`,
        ),
        false,
      );
      return;
    }
    let offset = 0;
    for (const chunk of chunks) {
      const { item } = chunk;
      const outputs: Record<string, HostTensor> = {};
      for (const [name, tensor] of Object.entries(result.outputs)) {
        outputs[name] = this.options.batchable
          ? sliceRows(tensor, offset, offset + chunk.rows)
          : tensor;
      }
      offset += chunk.rows;
      if (item.settled) continue;
      item.parts.push({ start: chunk.start, outputs });
      item.batchSizes.push(rows);
      item.done += chunk.rows;
      if (item.done === item.rows) this.settle(item);
    }
    this.afterBatch();
  }

  private settle(item: Pending): void {
    item.settled = true;
    const parts = item.parts.sort((a, b) => a.start - b.start);
    const outputs: Record<string, HostTensor> = {};
    for (const name of Object.keys(parts[0]?.outputs ?? {})) {
      outputs[name] = concatRows(parts.map((part) => part.outputs[name] as HostTensor));
    }
    item.resolve({
      outputs,
      batchSizes: item.batchSizes,
      queueMs: (item.firstStart ?? item.arrivedAt) - item.arrivedAt,
    });
  }

  private failChunks(chunks: readonly Chunk[], error: unknown, countFlight = true): void {
    if (countFlight) this.inFlight -= 1;
    const message = error instanceof Error ? error.message : String(error);
    for (const { item } of chunks) {
      if (item.settled) continue;
      item.settled = true;
      // Rows of this request still queued would come back to nobody: drop them.
      const index = this.queue.indexOf(item);
      if (index >= 0) {
        this.queue.splice(index, 1);
        this.queuedRows -= item.rows - item.taken;
      }
      item.reject(new HttpError('INFERENCE_FAILED', `the model failed on this batch: ${message}`));
    }
    this.afterBatch();
  }

  private afterBatch(): void {
    if (this.queue.length === 0 && this.inFlight === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  /** Refuses requests whose deadline passed before any of their rows started. */
  private expire(now: number): void {
    if (!this.options.batchable) return;
    while (this.queue.length > 0) {
      const index = this.queue.findIndex((item) => item.taken === 0);
      const item = this.queue[index];
      if (item === undefined || item.deadline > now) break;
      this.queue.splice(index, 1);
      this.queuedRows -= item.rows;
      item.settled = true;
      item.reject(
        new HttpError(
          'QUEUE_TIMEOUT',
          `the request waited ${Math.round(now - item.arrivedAt)} ms for a batch of "${this.options.api}", past its ${this.options.maxLatencyMs} ms budget`,
          this.retryAfterSeconds(),
        ),
      );
    }
    this.afterBatch();
  }

  private arm(at: number): void {
    if (this.timer !== undefined && this.timerAt <= at) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        const late = Math.max(0, this.now() - at);
        this.timerLatenessMs = this.timerLatenessMs * 0.9 + late * 0.1;
        this.timer = undefined;
        this.timerAt = Infinity;
        this.schedule();
      },
      Math.max(0, at - this.now()),
    );
    // The server keeps the process alive; a pending batch timer alone should not.
    this.timer.unref();
  }

  private noteArrival(now: number, rows: number): void {
    this.rowsPerMs = this.currentRate(now) + rows / RATE_TIME_CONSTANT_MS;
    this.lastArrival = now;
  }

  private currentRate(now: number): number {
    return this.rowsPerMs * Math.exp(-(now - this.lastArrival) / RATE_TIME_CONSTANT_MS);
  }
}

function rowShapeKey(tensors: readonly HostTensor[]): string {
  return tensors.map((tensor) => tensor.dims.slice(1).join('x')).join('|');
}
