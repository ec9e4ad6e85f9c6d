/** Messages between the HTTP thread and the parse thread (worker_threads). */
import type { DecodeTarget } from './decode-body.js';
import type { HttpErrorCode } from './http-errors.js';
import type { HostTensor } from './tensor.js';

/** `workerData` of the parse thread (started from the inference-worker script). */
export interface ParseThreadInit {
  readonly role: 'parse';
  /** By API name (`POST /<api>`, task submits). */
  readonly apis: Readonly<Record<string, DecodeTarget>>;
  /** By model name (`POST /v2/models/<model>/infer`). */
  readonly models: Readonly<Record<string, DecodeTarget>>;
}

export interface ParseJob {
  readonly id: number;
  readonly kind: 'api' | 'v2';
  /** An API name for `api`, a model name for `v2`. */
  readonly name: string;
  /** The body, moved to the thread. */
  readonly bytes: ArrayBuffer;
}

/** A decoded body; v2 fields only for `v2` jobs. */
export interface ParsedBody {
  readonly tensors: HostTensor[];
  readonly rows: number;
  readonly id?: string | undefined;
  readonly outputs?: readonly string[] | undefined;
  readonly binaryOutputs?: readonly string[];
}

export type ParseReply =
  | { readonly id: number; readonly ok: true; readonly body: ParsedBody }
  | {
      readonly id: number;
      readonly ok: false;
      /** Set when the body was refused (an HttpError); unset for a bug. */
      readonly code?: HttpErrorCode;
      readonly message: string;
      readonly retryAfterSeconds?: number;
    };
