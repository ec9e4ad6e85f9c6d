/**
 * Async tasks (BentoML's task API): a request is accepted now and run in the background
 * through the API's batcher, and the client polls for its result. Tasks are held in memory,
 * bounded in number and in bytes (inputs of unfinished tasks, results of finished ones), and
 * a finished task is forgotten after its TTL.
 *
 * Tasks feed their API's batcher at most one batch worth of rows at a time, so they fill
 * batches without crowding out synchronous requests; when the batcher sheds load (OVERLOADED,
 * QUEUE_TIMEOUT) a task waits and tries again instead of failing: it has no client waiting.
 */
import { randomUUID } from 'node:crypto';
import { HttpError } from '../http-errors.js';

/** BentoML's task states; `in_progress` covers both waiting and running. */
export type TaskStatus = 'in_progress' | 'success' | 'failure' | 'cancelled';

export interface TaskLimits {
  /** Tasks held at once, finished ones included until they expire. */
  readonly maxTasks: number;
  /** Bytes held: inputs of unfinished tasks plus results of finished ones. */
  readonly maxBytes: number;
  /** How long a finished task's result is kept. */
  readonly ttlMs: number;
}

/** What a client sees of a task (`GET /<api>/status`). */
export interface TaskView {
  readonly task_id: string;
  readonly status: TaskStatus;
  readonly created_at: string;
  readonly executed_at: string | null;
}

export interface TaskJob {
  readonly rows: number;
  /** Bytes the job's input holds while it waits. */
  readonly bytes: number;
  /** Runs the job once; resolves with the result's JSON text. */
  readonly run: () => Promise<string>;
}

/** A task as it finished, for the log line. */
export interface FinishedTask {
  readonly taskId: string;
  readonly api: string;
  readonly status: Exclude<TaskStatus, 'in_progress'>;
  readonly attempts: number;
  readonly code: string | undefined;
  readonly latencyMs: number;
}

interface Task {
  readonly id: string;
  readonly api: string;
  status: TaskStatus;
  readonly createdAt: number;
  executedAt: number | undefined;
  finishedAt: number | undefined;
  /** Bytes counted against the limit: input until finished, then the result. */
  bytes: number;
  job: TaskJob | undefined;
  result: string | undefined;
  error: HttpError | undefined;
  attempts: number;
  retry: NodeJS.Timeout | undefined;
}

interface Lane {
  readonly queue: Task[];
  readonly maxRows: number;
  rowsInFlight: number;
}

/** Retried after 25 ms, doubling up to this. */
const MAX_RETRY_DELAY_MS = 1000;
const RETRYABLE = new Set(['OVERLOADED', 'QUEUE_TIMEOUT']);

export class TaskStore {
  private readonly tasks = new Map<string, Task>();
  private readonly lanes = new Map<string, Lane>();
  private bytes = 0;
  private unfinished = 0;
  private stopped = false;
  private readonly drainWaiters: (() => void)[] = [];
  private readonly sweeper: NodeJS.Timeout;

  private readonly now: () => number;

  constructor(
    readonly limits: TaskLimits,
    private readonly options: {
      readonly now?: () => number;
      /** Called as each task finishes (for the log). */
      readonly onFinish?: (task: FinishedTask) => void;
    } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.sweep(), Math.min(limits.ttlMs, 10_000));
    this.sweeper.unref();
  }

  /** Tasks not yet finished. */
  get inProgress(): number {
    return this.unfinished;
  }

  /** Tasks held by status, and the bytes they hold (for the metrics). */
  usage(): { readonly tasks: Readonly<Record<TaskStatus, number>>; readonly bytes: number } {
    const tasks: Record<TaskStatus, number> = {
      in_progress: 0,
      success: 0,
      failure: 0,
      cancelled: 0,
    };
    for (const task of this.tasks.values()) if (!this.expired(task)) tasks[task.status] += 1;
    return { tasks, bytes: this.bytes };
  }

  /**
   * Accepts a job for `api`, whose batches hold `maxBatchRows` rows; refuses with 429
   * TOO_MANY_TASKS when the count or byte bound would be passed.
   */
  submit(api: string, maxBatchRows: number, job: TaskJob): TaskView {
    if (this.tasks.size >= this.limits.maxTasks || this.bytes + job.bytes > this.limits.maxBytes)
      this.sweep();
    if (this.tasks.size >= this.limits.maxTasks) {
      throw new HttpError(
        'TOO_MANY_TASKS',
        `${this.tasks.size} tasks are held, the limit (BENTOCTL_TASK_MAX_COUNT); retry once some finish and expire`,
        this.retryAfterSeconds(),
      );
    }
    if (this.bytes + job.bytes > this.limits.maxBytes) {
      throw new HttpError(
        'TOO_MANY_TASKS',
        `tasks hold ${this.bytes} bytes and this one needs ${job.bytes}; the limit is ${this.limits.maxBytes} (BENTOCTL_TASK_MAX_MB)`,
        this.retryAfterSeconds(),
      );
    }
    const task: Task = {
      id: randomUUID(),
      api,
      status: 'in_progress',
      createdAt: this.now(),
      executedAt: undefined,
      finishedAt: undefined,
      bytes: job.bytes,
      job,
      result: undefined,
      error: undefined,
      attempts: 0,
      retry: undefined,
    };
    this.tasks.set(task.id, task);
    this.bytes += task.bytes;
    this.unfinished += 1;
    let lane = this.lanes.get(api);
    if (lane === undefined) {
      lane = { queue: [], maxRows: Math.max(1, maxBatchRows), rowsInFlight: 0 };
      this.lanes.set(api, lane);
    }
    lane.queue.push(task);
    this.pump(lane);
    return view(task);
  }

  status(api: string, id: string): TaskView {
    return view(this.find(api, id));
  }

  /** The result's JSON text; a failed task answers its own error; else 409 TASK_NO_RESULT. */
  result(api: string, id: string): string {
    const task = this.find(api, id);
    if (task.status === 'success' && task.result !== undefined) return task.result;
    if (task.status === 'failure' && task.error !== undefined) throw task.error;
    throw new HttpError(
      'TASK_NO_RESULT',
      task.status === 'cancelled'
        ? `task ${id} was cancelled; it has no result`
        : `task ${id} is still in progress; poll /${api}/status?task_id=${id} until it is "success"`,
    );
  }

  /**
   * Cancels a task still in progress (its result, if an inference already started, is
   * dropped); a finished task stays as it is. Answers the task's state either way.
   */
  cancel(api: string, id: string): TaskView {
    const task = this.find(api, id);
    if (task.status === 'in_progress') {
      const lane = this.lanes.get(api);
      const index = lane?.queue.indexOf(task) ?? -1;
      if (index >= 0) lane?.queue.splice(index, 1);
      this.finish(task, 'cancelled');
    }
    return view(task);
  }

  /** Resolves once no task is in progress (SIGTERM: running tasks finish first). */
  drain(): Promise<void> {
    if (this.unfinished === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Fails every task in progress with `error` (the grace period ran out) and stops the sweeper. */
  abandon(error: () => HttpError): void {
    this.stopped = true;
    for (const task of this.tasks.values()) {
      if (task.status !== 'in_progress') continue;
      task.error = error();
      this.finish(task, 'failure');
    }
    for (const lane of this.lanes.values()) lane.queue.splice(0);
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private find(api: string, id: string): Task {
    const task = this.tasks.get(id);
    if (task === undefined || task.api !== api || this.expired(task)) {
      if (task !== undefined && this.expired(task)) this.forget(task);
      throw new HttpError(
        'TASK_NOT_FOUND',
        `there is no task ${JSON.stringify(id.slice(0, 60))} of "${api}" on this instance (unknown, or finished more than ${Math.round(this.limits.ttlMs / 1000)} s ago)`,
      );
    }
    return task;
  }

  /** Starts queued tasks while the lane has less than one batch of rows in the batcher. */
  private pump(lane: Lane): void {
    while (lane.queue.length > 0 && !this.stopped) {
      const task = lane.queue[0] as Task;
      const rows = task.job?.rows ?? 0;
      if (lane.rowsInFlight > 0 && lane.rowsInFlight + rows > lane.maxRows) return;
      lane.queue.shift();
      this.start(lane, task, rows);
    }
  }

  private start(lane: Lane, task: Task, rows: number): void {
    const job = task.job;
    if (job === undefined || task.status !== 'in_progress') return;
    lane.rowsInFlight += rows;
    task.attempts += 1;
    task.executedAt ??= this.now();
    job.run().then(
      (text) => {
        lane.rowsInFlight -= rows;
        if (task.status === 'in_progress') {
          task.result = text;
          this.finish(task, 'success');
        }
        this.pump(lane);
      },
      (error: unknown) => {
        lane.rowsInFlight -= rows;
        if (task.status === 'in_progress') {
          const failure =
            error instanceof HttpError
              ? error
              : new HttpError('INTERNAL', 'the task failed unexpectedly; see the server log');
          if (RETRYABLE.has(failure.code) && !this.stopped) {
            const delay = Math.min(MAX_RETRY_DELAY_MS, 25 * 2 ** (task.attempts - 1));
            task.retry = setTimeout(() => {
              task.retry = undefined;
              if (task.status !== 'in_progress' || this.stopped) return;
              lane.queue.unshift(task);
              this.pump(lane);
            }, delay);
          } else {
            task.error = failure;
            this.finish(task, 'failure');
          }
        }
        this.pump(lane);
      },
    );
  }

  private finish(task: Task, status: Exclude<TaskStatus, 'in_progress'>): void {
    clearTimeout(task.retry);
    task.status = status;
    task.finishedAt = this.now();
    task.job = undefined;
    const held = status === 'success' ? Buffer.byteLength(task.result ?? '') : 0;
    this.bytes += held - task.bytes;
    task.bytes = held;
    this.unfinished -= 1;
    this.options.onFinish?.({
      taskId: task.id,
      api: task.api,
      status,
      attempts: task.attempts,
      code: task.error?.code,
      latencyMs: task.finishedAt - task.createdAt,
    });
    if (this.unfinished === 0) for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  private expired(task: Task): boolean {
    return task.finishedAt !== undefined && this.now() - task.finishedAt >= this.limits.ttlMs;
  }

  private forget(task: Task): void {
    this.tasks.delete(task.id);
    this.bytes -= task.bytes;
  }

  private sweep(): void {
    for (const task of this.tasks.values()) if (this.expired(task)) this.forget(task);
  }

  private retryAfterSeconds(): number {
    let soonest = Infinity;
    for (const task of this.tasks.values()) {
      if (task.finishedAt !== undefined)
        soonest = Math.min(soonest, task.finishedAt + this.limits.ttlMs - this.now());
    }
    return Number.isFinite(soonest) ? Math.max(1, Math.ceil(soonest / 1000)) : 1;
  }
}

function view(task: Task): TaskView {
  return {
    task_id: task.id,
    status: task.status,
    created_at: new Date(task.createdAt).toISOString(),
    executed_at: task.executedAt === undefined ? null : new Date(task.executedAt).toISOString(),
  };
}
