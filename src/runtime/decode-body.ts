/**
 * A request body's bytes to host tensors, in the order that spends the least on what will be
 * refused: rows counted from the bytes (TOO_MANY_ROWS before any parsing), then JSON.parse,
 * then the input checks. The same on the HTTP thread (small bodies) and the parse thread.
 */
import type { TensorSpec } from '../bento/signature.js';
import { countBodyRows, countV2Rows, maxRowsInBytes, mostRows } from './count-rows.js';
import { decodeApiBody } from './decode-input.js';
import { decodeV2Body, type V2Request } from './decode-v2.js';
import { HttpError } from './http-errors.js';
import { parseJsonBody } from './read-body.js';
import type { HostTensor } from './tensor.js';

/** What decoding needs to know of one API (or, for /v2, one model). */
export interface DecodeTarget {
  /** The API name, for messages. */
  readonly api: string;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  /** Rows the API's queue holds: more in one request is 413 TOO_MANY_ROWS. */
  readonly maxQueueRows: number;
}

export interface DecodedApiBody {
  readonly tensors: HostTensor[];
  readonly rows: number;
}

/** 413 for a request with more rows than the queue of `api` holds (here and in the batcher). */
export function tooManyRows(api: string, rows: number, maxQueueRows: number): HttpError {
  return new HttpError(
    'TOO_MANY_ROWS',
    `the request has ${rows} rows; at most ${maxQueueRows} rows fit in the queue of "${api}"`,
  );
}

/** A `POST /<api>` (or task submit) body. */
export function decodeApiBytes(bytes: Buffer, target: DecodeTarget): DecodedApiBody {
  // Only a body big enough to hold that many rows is scanned: small requests skip it.
  if (maxRowsInBytes(bytes.length, target.inputs) > target.maxQueueRows) {
    const counted = countBodyRows(bytes);
    const rows = counted === undefined ? 0 : mostRows(counted, target.inputs);
    if (rows > target.maxQueueRows) throw tooManyRows(target.api, rows, target.maxQueueRows);
  }
  const body = parseJsonBody(bytes);
  return decodeApiBody(body.value, target.inputs, body.bytes);
}

/** A JSON `POST /v2/models/<model>/infer` body (without binary tensor data). */
export function decodeV2Bytes(bytes: Buffer, target: DecodeTarget): V2Request {
  // `data` may be flat: the same bound holds (each element at least a byte and a separator).
  if (maxRowsInBytes(bytes.length, target.inputs) > target.maxQueueRows) {
    const rows = countV2Rows(bytes) ?? 0;
    if (rows > target.maxQueueRows) throw tooManyRows(target.api, rows, target.maxQueueRows);
  }
  return decodeV2Body(parseJsonBody(bytes).value, target.inputs, target.outputs);
}
