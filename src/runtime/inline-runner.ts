/**
 * Inference on the HTTP thread: one onnxruntime session per model in this thread, for a process
 * that has one core and models whose batches take a millisecond or two. With one core an
 * inference thread gives no parallelism, only costs: each hand-off wakes one thread and
 * preempts the other, and on this machine the HTTP thread's cost per request tripled with one
 * row per batch (docs/benchmarks.md, "Inference on the HTTP thread"). Here a batch runs in the
 * event loop's check phase (onnxruntime-node's session.run defers to setImmediate, then runs
 * synchronously), so it holds the loop for one batch, which the service allows only when the
 * warm-up measured that short (src/runtime/service.ts), and batches form from the requests read
 * in each poll phase.
 */
import { EventEmitter } from 'node:events';
import type { InferenceSession } from 'onnxruntime-node';
import type { InferenceRunner } from './inference-runner.js';
import { firstLine, openSessions, runSession } from './onnx-session.js';
import type { HostTensor } from './tensor.js';
import { InferenceError, type RunResult } from './worker-pool.js';
import type { WorkerInit } from './worker-protocol.js';

/**
 * Results are handed back together once the runs queued in this check phase are done (or this
 * much compute has passed): their answers then leave back to back, while the client side is
 * still awake reading, instead of one wake-up of it per run. With batching off (a run per
 * request) that was 20 % of this thread's CPU on the small model (docs/benchmarks.md).
 */
const HOLD_MAX_MS = 1;

export class InlineRunner
  extends EventEmitter<{ idle: []; crash: [Error] }>
  implements InferenceRunner
{
  readonly placement = 'HTTP thread';
  private running = 0;
  private closed = false;
  /** Results of this check phase not yet handed back, and their compute time. */
  private held: (() => void)[] = [];
  private heldMs = 0;

  private constructor(
    private readonly ort: typeof import('onnxruntime-node'),
    private readonly sessions: ReadonlyMap<string, InferenceSession>,
    private readonly holdMaxMs: number,
  ) {
    super();
  }

  /**
   * Opens the sessions on this thread (this blocks it while each model loads). `holdMaxMs`: the
   * compute after which held results go back even with runs left (tests set it, so that how
   * they hold does not depend on how fast this machine runs). @default HOLD_MAX_MS
   */
  static async open(
    init: Pick<WorkerInit, 'models' | 'intraOpThreads' | 'device' | 'deviceFallback'>,
    { holdMaxMs = HOLD_MAX_MS }: { readonly holdMaxMs?: number } = {},
  ): Promise<InlineRunner> {
    process.env.ORT_DISABLE_TELEMETRY = '1';
    const ort = await import('onnxruntime-node');
    const { sessions } = await openSessions(ort, init);
    return new InlineRunner(ort, sessions, holdMaxMs);
  }

  /** One "thread" to the batchers: a batch at a time runs, the next forms meanwhile. */
  get size(): number {
    return 1;
  }

  idleCount(): number {
    return this.running === 0 && !this.closed ? 1 : 0;
  }

  busyCount(): number {
    return this.running === 0 ? 0 : 1;
  }

  /** Nothing here can die on its own: a native crash takes the process with it. */
  aliveCount(): number {
    return 1;
  }

  /**
   * Nothing to drop: jobs behind the running one are already in this turn's check phase, and
   * run within it (the batchers queue at most what the cost model gives max_latency_ms).
   */
  dropQueued(): void {}

  run(model: string, feeds: Readonly<Record<string, HostTensor>>): Promise<RunResult> {
    const session = this.sessions.get(model);
    if (session === undefined || this.closed)
      return Promise.reject(new InferenceError(`no session for model ${model}`));
    this.running += 1;
    return new Promise<RunResult>((resolve, reject) => {
      runSession(this.ort.Tensor, session, feeds).then(
        ({ outputs, computeMs }) => {
          this.held.push(() => resolve({ outputs, computeMs }));
          this.heldMs += computeMs;
          this.settled();
        },
        (error: unknown) => {
          this.held.push(() => reject(new InferenceError(firstLine(error))));
          this.settled();
        },
      );
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.sessions.values()].map((session) => session.release()));
  }

  private settled(): void {
    this.running -= 1;
    if (this.running === 0 || this.heldMs >= this.holdMaxMs) {
      const held = this.held;
      this.held = [];
      this.heldMs = 0;
      for (const release of held) release();
    }
    if (this.running === 0) this.emit('idle');
  }
}
