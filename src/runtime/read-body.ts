/**
 * Reads a JSON request body within the size limit and the time limit, so neither a huge body
 * nor a client that sends a byte a minute can tie the server up.
 */
import type { IncomingMessage } from 'node:http';
import { DeadlineSweep } from './deadline-sweep.js';
import { LinkedList, ListItem } from './linked-list.js';
import { HttpError } from './http-errors.js';
import { RuntimeError } from './runtime-error.js';

export interface BodyLimits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
  /**
   * Aborted when the server starts draining: a body still arriving then gets `drainLingerMs`
   * more to finish, else 503 SHUTTING_DOWN, so a slow client cannot hold the shutdown.
   */
  readonly drain?: AbortSignal;
  readonly drainLingerMs?: number;
}

/**
 * After SIGTERM, how long an idle keep-alive connection may still deliver a request it already
 * sent, and a body in progress may take to finish. Long enough for a request in flight on any
 * network path, short enough that silent clients do not hold the exit.
 */
export const DRAIN_LINGER_MS = 1_000;

/** The client went away before its body arrived: nobody to answer (logged as 499). */
export class ClientClosedError extends RuntimeError {
  constructor() {
    super('the client closed the connection before sending its whole body');
  }
}

export interface JsonBody {
  readonly value: unknown;
  readonly bytes: number;
}

export function checkJsonContentType(request: IncomingMessage): void {
  const type = request.headers['content-type'];
  if (type === 'application/json') return;
  const essence = type?.split(';')[0]?.trim().toLowerCase();
  if (
    essence !== 'application/json' &&
    !(essence?.startsWith('application/') && essence.endsWith('+json'))
  ) {
    throw new HttpError(
      'UNSUPPORTED_MEDIA_TYPE',
      `the body must be JSON with Content-Type: application/json; got ${type === undefined ? 'no Content-Type' : JSON.stringify(type.slice(0, 80))}`,
    );
  }
}

/** A body's reader, told once when its drain signal aborts. */
class DrainWatcher extends ListItem {
  constructor(readonly onDrain: () => void) {
    super();
  }
}

/** Unlinking this watches nothing (a body read without a drain signal). */
const NOT_WATCHING = new ListItem();

/**
 * The bodies being read when each drain signal aborts, so that a read costs a list item rather
 * than an AbortSignal listener added and removed per request (EventTarget's bookkeeping was a
 * measurable share of a small request's time on the HTTP thread).
 */
const drainWatchers = new WeakMap<AbortSignal, LinkedList<DrainWatcher>>();

/** Calls `onDrain` once when `signal` aborts (at once if it has); unlink the result to stop. */
function watchDrain(signal: AbortSignal, onDrain: () => void): ListItem {
  if (signal.aborted) {
    onDrain();
    return NOT_WATCHING;
  }
  let watchers = drainWatchers.get(signal);
  if (watchers === undefined) {
    const list = new LinkedList<DrainWatcher>();
    watchers = list;
    drainWatchers.set(signal, list);
    signal.addEventListener(
      'abort',
      () => {
        for (const watcher of list.removeWhere(() => true)) watcher.onDrain();
      },
      { once: true },
    );
  }
  const watcher = new DrainWatcher(onDrain);
  watchers.push(watcher);
  return watcher;
}

/** Every body being read, against its time limit (one timer for all of them). */
const bodyDeadlines = new DeadlineSweep();

/**
 * The body's bytes, within the size and time limits (413 / 408 otherwise). Not an async
 * function: one promise per body rather than two (this runs on every request).
 */
export function readBodyBytes(request: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    return Promise.reject(tooLarge(limits.maxBytes, `${declared} bytes`));
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let done = false;
    const finish = (error: Error | undefined, result?: Buffer): void => {
      if (done) return;
      done = true;
      deadline.cancel();
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      watching.unlink();
      if (error) {
        // Stop reading but keep the socket readable so the error response can be written.
        request.resume();
        reject(error);
      } else if (result) {
        resolve(result);
      }
    };
    const deadline = bodyDeadlines.add(limits.timeoutMs, () =>
      finish(
        new HttpError('BODY_TIMEOUT', `the body did not arrive within ${limits.timeoutMs} ms`),
      ),
    );
    const onDrain = (): void =>
      deadline.reset(limits.drainLingerMs ?? 0, () =>
        finish(
          new HttpError(
            'SHUTTING_DOWN',
            'the server is shutting down and the body had not arrived',
            1,
          ),
        ),
      );
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > limits.maxBytes)
        finish(tooLarge(limits.maxBytes, `more than ${limits.maxBytes} bytes`));
      else chunks.push(chunk);
    };
    // A small body arrives in one chunk: no copy for it.
    const onEnd = (): void =>
      finish(undefined, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    // A reset mid-upload is the client's doing, not a server failure.
    const onError = (error: NodeJS.ErrnoException): void =>
      finish(error.code === 'ECONNRESET' ? new ClientClosedError() : error);
    const watching = limits.drain === undefined ? NOT_WATCHING : watchDrain(limits.drain, onDrain);
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
}

/** JSON from body bytes, with the runtime's INVALID_JSON messages. */
export function parseJsonBody(buffer: Buffer): JsonBody {
  const text = { text: buffer.toString('utf8'), bytes: buffer.length };
  if (text.bytes === 0)
    throw new HttpError('INVALID_JSON', 'the body is empty; send a JSON object');
  try {
    return { value: JSON.parse(text.text) as unknown, bytes: text.bytes };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const hint = /\b(NaN|-?Infinity)\b/.test(text.text)
      ? ' (NaN and Infinity are not valid JSON numbers)'
      : '';
    throw new HttpError(
      'INVALID_JSON',
      `the body is not valid JSON: ${detail.slice(0, 200)}${hint}`,
    );
  }
}

function tooLarge(maxBytes: number, got: string): HttpError {
  return new HttpError(
    'BODY_TOO_LARGE',
    `the body is ${got}; the limit is ${maxBytes} bytes (${(maxBytes / 1048576).toFixed(1)} MB)`,
  );
}
