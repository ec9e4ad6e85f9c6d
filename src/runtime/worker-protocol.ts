/** Messages between the HTTP thread and the inference threads (worker_threads). */
import type { DeclaredTensor } from '../bento/signature.js';
import type { HostTensor } from './tensor.js';

export interface WorkerModel {
  readonly name: string;
  readonly file: string;
}

/** `workerData` of an inference thread. */
export interface WorkerInit {
  readonly models: readonly WorkerModel[];
  readonly intraOpThreads: number;
  readonly device: 'cpu' | 'gpu';
  /** device gpu without the CUDA provider: `none` fails the load, `cpu` runs on CPU. */
  readonly deviceFallback: 'none' | 'cpu';
  /**
   * One Int32 shared with the HTTP thread: jobs with an id up to it that have not started are
   * dropped (after the shutdown grace period), without waiting for a message to be read.
   */
  readonly dropUpTo: SharedArrayBuffer;
}

export interface LoadedModel {
  readonly name: string;
  readonly inputs: readonly DeclaredTensor[];
  readonly outputs: readonly DeclaredTensor[];
  /** The execution provider the session runs on. */
  readonly provider: 'cpu' | 'cuda';
}

export interface RunRequest {
  readonly type: 'run';
  readonly id: number;
  readonly model: string;
  readonly feeds: Readonly<Record<string, HostTensor>>;
}

export type WorkerMessage =
  | {
      readonly type: 'loaded';
      readonly models: readonly LoadedModel[];
      readonly notes: readonly string[];
    }
  | {
      readonly type: 'load-failed';
      readonly message: string;
      /** Set when device gpu found no CUDA provider and no fallback was allowed. */
      readonly deviceUnavailable?: boolean;
    }
  | {
      readonly type: 'result';
      readonly id: number;
      readonly outputs: Readonly<Record<string, HostTensor>>;
      /** Time inside session.run, in ms. */
      readonly computeMs: number;
    }
  | {
      readonly type: 'run-failed';
      readonly id: number;
      readonly message: string;
      /** Not run: dropped before it started (see WorkerInit.dropUpTo). */
      readonly dropped?: boolean;
    };
