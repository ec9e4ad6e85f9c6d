/**
 * Adaptive batching for one API: requests queue here and go to the inference threads as one
 * onnxruntime call per batch. A batch leaves when it is full, when its oldest request would
 * otherwise miss its latency budget (using the fitted cost of the batch), or when no other
 * request is expected in time to be worth the wait. Requests with many rows are split across
 * batches and put back together in order; each caller gets exactly its own rows back.
 */
import { CostModel } from './cost-model.js';
import { tooManyRows } from './decode-body.js';
import { HttpError } from './http-errors.js';
import { concatRows, sliceRows, type HostTensor } from './tensor.js';
import { DroppedJobError, type RunResult } from './worker-pool.js';

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
  /**
   * Full batches that may wait on a thread behind the one it runs.
   * @default - as many as the cost model predicts to take max_latency_ms, at least 1
   */
  readonly maxBatchesAhead?: number;
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

/** Timer lateness memory: a lateness seen fades to a third in a second without timers. */
const LATENESS_MEMORY_MS = 1000;

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
  /** Recent lateness of our timers (event loop busy), in ms, as of timerLatenessAt. */
  private timerLatenessMs = 0;
  private timerLatenessAt = 0;
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
      return Promise.reject(tooManyRows(this.options.api, rows, maxQueueRows));
    }
    // Full means full before this request: a large request is admitted whenever a small one
    // would be (the queue may overshoot by one request), else it could only ever get into an
    // empty queue while small requests keep it busy.
    if (this.queuedRows >= maxQueueRows) {
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
    while (this.queue.length > 0 && this.options.runner.idleCount() > 0) {
      const waitUntil = this.dispatchTime(now);
      if (waitUntil > now) {
        this.arm(waitUntil);
        return;
      }
      this.dispatch(now);
    }
    // Full batches also go behind running ones, so that a thread starts the next batch the
    // moment one ends instead of waiting for this (HTTP) thread to read the result and post
    // again: under load that round trip is a whole turn of a busy event loop (512 connections:
    // one poll phase reads every socket, 10-20 ms), and dispatch was limited to a batch or two
    // per turn. Work queued on a thread can no longer be refused, so it is bounded: what the
    // cost model predicts to take max_latency_ms, at least one batch behind the running one.
    const batchMs = Math.max(0.001, this.cost.predictMs(this.options.maxBatchSize));
    const depth =
      1 +
      (this.options.maxBatchesAhead ??
        Math.max(1, Math.floor(this.options.maxLatencyMs / batchMs)));
    // Unbatched, every request is a full batch of its own: the next ones queue on the thread
    // the same way, and on the HTTP thread (src/runtime/inline-runner.ts) they all run in one
    // check phase instead of one per turn of the event loop.
    while (this.inFlight < depth * Math.max(1, this.options.runner.size) && this.fullBatchQueued())
      this.dispatch(now);
    // Deadlines are enforced only while every thread is busy. A request that finds a thread
    // free runs, even if the event loop noticed late: refusing it would refuse work the model
    // has time for (under overload the HTTP thread is late everywhere; shedding then emptied
    // the queue while the inference thread idled).
    const watch = this.expire(now);
    // Threads busy: wake up when the next refusable request's deadline passes.
    if (watch !== Infinity) this.arm(watch);
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

  private fullBatchQueued(): boolean {
    const head = this.queue[0];
    if (head === undefined) return false;
    if (!this.options.batchable) return true;
    let rows = 0;
    for (const item of this.queue) {
      if (item.rowShape === head.rowShape) rows += item.rows - item.taken;
      if (rows >= this.options.maxBatchSize) return true;
    }
    return false;
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
    const latestStart = head.deadline - 1 - 2 * this.recentLatenessMs(now);
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
    const chunks = this.options.batchable
      ? this.compose(head.rowShape)
      : [{ item: head, start: 0, rows: head.rows }];
    let rows = 0;
    for (const chunk of chunks) {
      chunk.item.taken += chunk.rows;
      chunk.item.firstStart ??= now;
      rows += chunk.rows;
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

  /**
   * The rows of the next batch, of one row shape. Requests with more rows than half a batch
   * ("large") share at most half of it between them, round robin; the smaller ones fill the
   * rest in arrival order; what one side leaves unused goes to the other. So a client sending
   * 900-row requests back to back gets half the model, small requests behind it the other half
   * (rather than waiting 29 batches), and several large requests progress together instead of
   * the later ones waiting out their deadline.
   */
  private compose(rowShape: string): Chunk[] {
    const limit = this.options.maxBatchSize;
    const half = Math.max(1, Math.floor(limit / 2));
    const taking = new Map<Pending, Chunk>();
    let rows = 0;
    const take = (item: Pending, wanted: number): void => {
      const existing = taking.get(item);
      const left = item.rows - item.taken - (existing?.rows ?? 0);
      const count = Math.min(left, wanted, limit - rows);
      if (count <= 0) return;
      taking.set(item, { item, start: item.taken, rows: (existing?.rows ?? 0) + count });
      rows += count;
    };
    const same = this.queue.filter((item) => item.rowShape === rowShape);
    const large = same.filter((item) => item.rows - item.taken > half);
    if (large.length > 0) {
      const share = Math.max(1, Math.floor(half / large.length));
      for (const item of large) {
        if (rows >= half) break;
        take(item, Math.min(share, half - rows));
      }
    }
    for (const item of same) {
      if (rows >= limit) break;
      if (item.rows - item.taken <= half) take(item, item.rows - item.taken);
    }
    for (const item of large) {
      if (rows >= limit) break;
      take(item, limit - rows);
    }
    // In queue order, so each request's rows stay in order within the batch.
    return same.flatMap((item) => {
      const chunk = taking.get(item);
      return chunk === undefined ? [] : [chunk];
    });
  }

  private complete(
    chunks: readonly Chunk[],
    rows: number,
    result: RunResult,
    wallMs: number,
  ): void {
    this.inFlight -= 1;
    // The thread's own time: wall time would include waiting behind batches queued ahead on
    // the thread, and the fit would grow with the queue it is used to bound.
    this.cost.observe(rows, result.computeMs);
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
    // Once per batch, not per request: this loop runs for every request answered.
    const names = Object.keys(result.outputs);
    for (const chunk of chunks) {
      const { item } = chunk;
      const outputs: Record<string, HostTensor> = {};
      for (const name of names) {
        const tensor = result.outputs[name] as HostTensor;
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
    const parts = item.parts;
    let outputs = parts[0]?.outputs ?? {};
    // Most requests fit in one batch: their part is their answer as it is.
    if (parts.length > 1) {
      parts.sort((a, b) => a.start - b.start);
      const joined: Record<string, HostTensor> = {};
      for (const name of Object.keys(outputs)) {
        joined[name] = concatRows(parts.map((part) => part.outputs[name] as HostTensor));
      }
      outputs = joined;
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
      item.reject(
        error instanceof DroppedJobError
          ? new HttpError('SHUTTING_DOWN', 'the server stopped before this request could run', 1)
          : new HttpError('INFERENCE_FAILED', `the model failed on this batch: ${message}`),
      );
    }
    this.afterBatch();
  }

  private afterBatch(): void {
    if (this.queue.length === 0 && this.inFlight === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  /**
   * Refuses requests whose deadline passed before any of their rows started, unless they would
   * go in the next batch anyway (the rows ahead of them fit in one batch per thread): refusing
   * those frees nothing, since the queue ahead is already short, and a thread that runs late
   * (a descheduled core) would turn into refusals. So the queue past its deadline is trimmed
   * to one batch per thread, which bounds latency at about max_latency_ms + two batches.
   * Returns the earliest deadline still to watch.
   */
  private expire(now: number): number {
    if (!this.options.batchable) return Infinity;
    const nextBatchRows = this.options.maxBatchSize * Math.max(1, this.options.runner.size);
    let ahead = 0;
    let watch = Infinity;
    for (let index = 0; index < this.queue.length;) {
      const item = this.queue[index] as Pending;
      if (item.taken === 0 && ahead >= nextBatchRows) {
        if (item.deadline <= now) {
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
          continue;
        }
        watch = Math.min(watch, item.deadline);
      }
      ahead += item.rows - item.taken;
      index += 1;
    }
    this.afterBatch();
    return watch;
  }

  private arm(at: number): void {
    if (this.timer !== undefined && this.timerAt <= at) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        const firedAt = this.now();
        const late = Math.max(0, firedAt - at);
        this.timerLatenessMs = this.recentLatenessMs(firedAt) * 0.9 + late * 0.1;
        this.timerLatenessAt = firedAt;
        this.timer = undefined;
        this.timerAt = Infinity;
        // After the I/O that is due: when the event loop was blocked, a thread's "done" message
        // may be waiting behind this timer, and the thread must not look busy to expire().
        setImmediate(() => this.schedule());
      },
      Math.max(0, at - this.now()),
    );
    // The server keeps the process alive; a pending batch timer alone should not.
    this.timer.unref();
  }

  /**
   * The timers' recent lateness, fading (time constant LATENESS_MEMORY_MS) while no timer fires:
   * under steady load batches leave on arrivals, not timers, and one late timer at start-up
   * (the warm-up, a model opening on the HTTP thread) would otherwise keep its margin for ever,
   * and with it every batch leaving at once, whatever its size.
   */
  private recentLatenessMs(now: number): number {
    return this.timerLatenessMs * Math.exp(-(now - this.timerLatenessAt) / LATENESS_MEMORY_MS);
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
  // Built on every request: plain loops, no intermediate arrays.
  let key = '';
  for (let index = 0; index < tensors.length; index += 1) {
    if (index > 0) key += '|';
    const dims = (tensors[index] as HostTensor).dims;
    for (let dim = 1; dim < dims.length; dim += 1) key += dim > 1 ? `x${dims[dim]}` : dims[dim];
  }
  return key;
}
