/**
 * What the batchers run their batches on: the inference threads (src/runtime/worker-pool.ts) or
 * the HTTP thread itself (src/runtime/inline-runner.ts). The service picks one at start-up
 * (docs/runtime.md, "Where inference runs") and may switch once, after the warm-up has measured
 * the models, so the batchers see the runner through a slot.
 */
import type { EventEmitter } from 'node:events';
import type { Runner } from './batcher.js';

export type Placement = 'inference threads' | 'HTTP thread';

export interface InferenceRunner
  extends Runner, Pick<EventEmitter<{ idle: []; crash: [Error] }>, 'on' | 'off'> {
  readonly placement: Placement;
  busyCount(): number;
  /** Runners still able to run; 0 means nothing queued can ever run. */
  aliveCount(): number;
  /** Jobs queued behind the running one fail with DroppedJobError (after the grace period). */
  dropQueued(): void;
  close(): Promise<void>;
}

/** The runner the batchers see; `current` changes once at most, before any request. */
export class RunnerSlot implements Runner {
  constructor(public current: InferenceRunner) {}

  get size(): number {
    return this.current.size;
  }

  idleCount(): number {
    return this.current.idleCount();
  }

  run(...args: Parameters<Runner['run']>): ReturnType<Runner['run']> {
    return this.current.run(...args);
  }
}
