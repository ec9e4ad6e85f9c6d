/**
 * Every error the runtime answers with, in one place: the HTTP status and what the client
 * should do. Bodies always have the shape `{statusCode, code, error, message}`; docs/runtime.md
 * lists the same codes and a test keeps the two in sync.
 */
import { STATUS_CODES } from 'node:http';
import { RuntimeError } from './runtime-error.js';

export const HTTP_ERROR_CATALOGUE = {
  NOT_FOUND: {
    status: 404,
    fix: 'Use one of the paths in /docs.json (POST /<api> for each API of the bento).',
  },
  METHOD_NOT_ALLOWED: { status: 405, fix: 'Use the method given in the Allow header.' },
  MODEL_NOT_FOUND: { status: 404, fix: 'Use a model name listed by GET /v2 or /docs.json.' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    fix: 'Send the body as JSON with `Content-Type: application/json`.',
  },
  INVALID_JSON: {
    status: 400,
    fix: 'Send valid JSON (NaN and Infinity are not JSON; use finite numbers).',
  },
  BODY_TOO_LARGE: {
    status: 413,
    fix: 'Send fewer rows per request, or raise runtime.max_body_mb.',
  },
  BODY_TIMEOUT: {
    status: 408,
    fix: 'Send the whole body promptly; the server does not wait for slow clients.',
  },
  INVALID_BODY: { status: 400, fix: 'Send a JSON object keyed by input name (see /docs.json).' },
  UNKNOWN_INPUT: { status: 400, fix: 'Use the input names of the model (see /docs.json).' },
  MISSING_INPUT: { status: 400, fix: 'Give every input of the model.' },
  WRONG_DTYPE: {
    status: 400,
    fix: 'Send values of the element type the input declares (see /docs.json).',
  },
  WRONG_RANK: {
    status: 400,
    fix: 'Nest the arrays as deep as the input rank; wrap a single row in [ ].',
  },
  WRONG_SHAPE: { status: 400, fix: 'Give each dimension the size the input declares.' },
  RAGGED_ARRAY: { status: 400, fix: 'Give every row (and every nested array) the same length.' },
  NON_FINITE_VALUE: {
    status: 400,
    fix: 'Send finite numbers that fit the element type (float32 up to 3.4e38).',
  },
  VALUE_OUT_OF_RANGE: {
    status: 400,
    fix: 'Send integers that fit the element type (int64 within +-2^53 over JSON).',
  },
  EMPTY_BATCH: { status: 400, fix: 'Send at least one row.' },
  ROW_MISMATCH: { status: 400, fix: 'Give every input the same number of rows.' },
  DATA_SIZE_MISMATCH: {
    status: 400,
    fix: 'Make `data` hold exactly as many values as `shape` says.',
  },
  INVALID_BINARY_DATA: {
    status: 400,
    fix: 'Make Inference-Header-Content-Length the JSON header size and each binary_data_size its tensor bytes.',
  },
  TOO_MANY_ROWS: {
    status: 413,
    fix: 'Split the request; one request may carry at most the queue size in rows.',
  },
  MISSING_TASK_ID: {
    status: 400,
    fix: 'Add ?task_id=<id>, the id that POST /<api>/submit answered.',
  },
  TASK_NOT_FOUND: {
    status: 404,
    fix: 'Use a task id from POST /<api>/submit of this API, within the task TTL, on the same instance.',
  },
  TASK_NO_RESULT: {
    status: 409,
    fix: 'Poll GET /<api>/status until the task is "success"; a cancelled task has no result.',
  },
  TOO_MANY_TASKS: {
    status: 429,
    fix: 'Retry after Retry-After; fetch results sooner, or raise BENTOCTL_TASK_MAX_COUNT / BENTOCTL_TASK_MAX_MB.',
  },
  UNAUTHORIZED: {
    status: 401,
    fix: 'Send `Authorization: Bearer <token>` with the token the service was given.',
  },
  NOT_READY: {
    status: 503,
    fix: 'Retry after the Retry-After delay; the models are still loading (see /readyz).',
  },
  DEVICE_UNAVAILABLE: {
    status: 503,
    fix: 'device is gpu but the CUDA execution provider did not load: run on an instance with a GPU, its driver and CUDA 12 + cuDNN 9 (the bentoctl CUDA image), or set runtime.device_fallback: cpu.',
  },
  SHUTTING_DOWN: {
    status: 503,
    fix: 'Retry on another instance; this one is draining before it stops.',
  },
  OVERLOADED: {
    status: 503,
    fix: 'Retry after the Retry-After delay, or add instances or workers.',
  },
  QUEUE_TIMEOUT: {
    status: 503,
    fix: 'Retry after the Retry-After delay; raise max_latency_ms or add capacity if it persists.',
  },
  INFERENCE_FAILED: {
    status: 500,
    fix: 'The model failed on this batch; check the server log for the onnxruntime message.',
  },
  INTERNAL: {
    status: 500,
    fix: 'A bug in the runtime: report the server log line with this request id.',
  },
} as const satisfies Record<string, { status: number; fix: string }>;

export type HttpErrorCode = keyof typeof HTTP_ERROR_CATALOGUE;

/** An error the runtime answers with on purpose. */
export class HttpError extends RuntimeError {
  readonly statusCode: number;
  constructor(
    readonly code: HttpErrorCode,
    message: string,
    /** Seconds, for 503s: when the client may retry. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.statusCode = HTTP_ERROR_CATALOGUE[code].status;
  }
}

export interface ErrorBody {
  readonly statusCode: number;
  readonly code: HttpErrorCode;
  readonly error: string;
  readonly message: string;
  readonly requestId?: string;
}

export function errorBody(error: HttpError, requestId?: string): ErrorBody {
  return {
    statusCode: error.statusCode,
    code: error.code,
    error: STATUS_CODES[error.statusCode] ?? 'Error',
    message: error.message,
    ...(requestId === undefined ? {} : { requestId }),
  };
}

/** The Open Inference Protocol's error body (`{"error": "<message>"}`), plus our code. */
export function v2ErrorBody(error: HttpError): { readonly error: string; readonly code: string } {
  return { error: error.message, code: error.code };
}
