/**
 * The inference threads of one process and the jobs running on them: one job per thread at a
 * time, so the batchers can see when a thread is free and grow their batches meanwhile.
 */
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { InferenceRunner } from './inference-runner.js';
import type { HostTensor } from './tensor.js';
import type { LoadedModel, RunRequest, WorkerInit, WorkerMessage } from './worker-protocol.js';
import { LinkedList, ListItem } from './linked-list.js';
import { RuntimeError } from './runtime-error.js';

export interface RunResult {
  readonly outputs: Readonly<Record<string, HostTensor>>;
  readonly computeMs: number;
}

interface Slot {
  readonly worker: Worker;
  /** False until the thread has loaded its models. */
  loaded: boolean;
  /** The thread died: it never takes work again. */
  dead?: boolean;
  /**
   * Jobs posted and not yet answered, in order: the running one, then those queued behind it
   * (the batchers decide how many; see Batcher.schedule). A list, not a Map: see linked-list.ts.
   */
  readonly pending: LinkedList<Job>;
}

/** A job posted to a thread, until its answer. */
class Job extends ListItem {
  constructor(
    readonly id: number,
    readonly resolve: (result: RunResult) => void,
    readonly reject: (error: Error) => void,
  ) {
    super();
  }
}

/** onnxruntime or an inference thread failed. */
export class InferenceError extends RuntimeError {}

/** device gpu without the CUDA execution provider, and no fallback to CPU allowed. */
export class DeviceUnavailableError extends InferenceError {}

/** A job dropped before it started (WorkerPool.dropQueued). */
export class DroppedJobError extends RuntimeError {
  constructor() {
    super('the job was dropped before it started');
  }
}

export class WorkerPool
  extends EventEmitter<{ idle: []; crash: [Error] }>
  implements InferenceRunner
{
  readonly placement = 'inference threads';
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;
  private readonly dropUpTo = new SharedArrayBuffer(4);

  private constructor() {
    super();
  }

  /** Starts `threads` inference threads and waits until each has loaded every model. */
  static async start(
    script: string | URL,
    threads: number,
    init: Omit<WorkerInit, 'dropUpTo'>,
  ): Promise<{ pool: WorkerPool; models: readonly LoadedModel[]; notes: readonly string[] }> {
    const pool = new WorkerPool();
    const loads = Array.from({ length: threads }, () => pool.spawn(script, init));
    const settled = await Promise.allSettled(loads);
    const failure = settled.find((result) => result.status === 'rejected');
    if (failure !== undefined) {
      await pool.close();
      throw (failure as PromiseRejectedResult).reason;
    }
    const first = (settled[0] as PromiseFulfilledResult<{ models: LoadedModel[]; notes: string[] }>)
      .value;
    return { pool, models: first.models, notes: first.notes };
  }

  get size(): number {
    return this.slots.length;
  }

  idleCount(): number {
    let idle = 0;
    for (const slot of this.slots) if (this.usable(slot) && slot.pending.size === 0) idle += 1;
    return idle;
  }

  /** Threads still running; 0 means nothing queued can ever run. */
  aliveCount(): number {
    return this.slots.filter((slot) => slot.dead !== true).length;
  }

  busyCount(): number {
    return this.slots.length - this.idleCount();
  }

  /** Runs one job on the least loaded thread, queued behind its jobs if it has any. */
  run(model: string, feeds: Readonly<Record<string, HostTensor>>): Promise<RunResult> {
    let slot: Slot | undefined;
    for (const candidate of this.slots) {
      if (!this.usable(candidate)) continue;
      if (slot === undefined || candidate.pending.size < slot.pending.size) slot = candidate;
    }
    if (slot === undefined || this.closed)
      return Promise.reject(new InferenceError('no inference thread is free'));
    const chosen = slot;
    const id = this.nextId++;
    const request: RunRequest = { type: 'run', id, model, feeds };
    return new Promise<RunResult>((resolve, reject) => {
      chosen.pending.push(new Job(id, resolve, reject));
      // Inputs are built for this job only: hand their memory over instead of copying it.
      const transfer = uniqueBuffers(Object.values(feeds));
      chosen.worker.postMessage(request, transfer);
    });
  }

  /** Jobs queued on the threads and not started yet fail with DroppedJobError. */
  dropQueued(): void {
    Atomics.store(new Int32Array(this.dropUpTo), 0, this.nextId - 1);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(
    script: string | URL,
    init: Omit<WorkerInit, 'dropUpTo'>,
  ): Promise<{ models: LoadedModel[]; notes: string[] }> {
    const worker = new Worker(script, {
      workerData: { ...init, dropUpTo: this.dropUpTo },
      env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' },
    });
    const slot: Slot = { worker, loaded: false, pending: new LinkedList() };
    this.slots.push(slot);
    return new Promise((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        switch (message.type) {
          case 'loaded':
            slot.loaded = true;
            resolve({ models: [...message.models], notes: [...message.notes] });
            break;
          case 'load-failed':
            reject(
              message.deviceUnavailable === true
                ? new DeviceUnavailableError(message.message)
                : new InferenceError(`loading the models failed: ${message.message}`),
            );
            break;
          case 'result':
          case 'run-failed':
            this.finish(slot, message);
            break;
        }
      });
      worker.on('error', (error) => {
        reject(error);
        this.fail(slot, new InferenceError(`inference thread crashed: ${error.message}`));
      });
      worker.on('exit', (code) => {
        if (!this.closed) {
          reject(new InferenceError(`inference thread exited with code ${code}`));
          this.fail(slot, new InferenceError(`inference thread exited with code ${code}`));
        }
      });
    });
  }

  private usable(slot: Slot): boolean {
    return slot.loaded && slot.dead !== true;
  }

  private finish(
    slot: Slot,
    message: Extract<WorkerMessage, { type: 'result' | 'run-failed' }>,
  ): void {
    // Usually the first: a thread answers its jobs in the order they were posted.
    const [pending] = slot.pending.removeWhere((job) => job.id === message.id);
    if (pending !== undefined) {
      if (message.type === 'result')
        pending.resolve({ outputs: message.outputs, computeMs: message.computeMs });
      else if (message.dropped === true) pending.reject(new DroppedJobError());
      else pending.reject(new InferenceError(message.message));
    }
    this.emit('idle');
  }

  private fail(slot: Slot, error: Error): void {
    // A dead thread never becomes free again; the process should be restarted.
    if (slot.dead === true) return; // 'error' and 'exit' both report one death
    slot.dead = true;
    for (const job of slot.pending.removeWhere(() => true)) job.reject(error);
    if (this.listenerCount('crash') > 0) this.emit('crash', error);
  }
}

function uniqueBuffers(tensors: readonly HostTensor[]): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const tensor of tensors) {
    const { buffer } = tensor.data;
    // Only whole buffers we own can move; a view into a shared one is copied by postMessage.
    if (
      buffer instanceof ArrayBuffer &&
      tensor.data.byteLength === buffer.byteLength &&
      !buffers.includes(buffer)
    ) {
      buffers.push(buffer);
    }
  }
  return buffers;
}
