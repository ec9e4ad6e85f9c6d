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
  | { readonly type: 'load-failed'; readonly message: string }
  | {
      readonly type: 'result';
      readonly id: number;
      readonly outputs: Readonly<Record<string, HostTensor>>;
      /** Time inside session.run, in ms. */
      readonly computeMs: number;
    }
  | { readonly type: 'run-failed'; readonly id: number; readonly message: string };
