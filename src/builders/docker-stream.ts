import type Dockerode from 'dockerode';

/**
 * One JSON message of the engine's build / push / pull / import progress stream.
 * Only the fields bentoctl reads are typed; the engine sends more.
 */
export interface DockerProgressEvent {
  stream?: string;
  status?: string;
  id?: string;
  /** Rendered progress bar; repeated many times per layer, so kept out of error output. */
  progress?: string;
  error?: string;
  errorDetail?: { code?: number; message?: string };
  aux?: unknown;
}

/** A build, push, pull or import that the engine reported as failed inside its progress stream. */
export class DockerStreamError extends Error {
  override readonly name = 'DockerStreamError';

  constructor(
    message: string,
    /** Last lines the engine printed before failing (build step output), for the user. */
    readonly outputTail: readonly string[],
    /** The engine's own error text, without the operation prefix. */
    readonly detail: string = message,
  ) {
    super(
      outputTail.length > 0
        ? `${message}\n--- engine output ---\n${outputTail.join('\n')}`
        : message,
    );
  }
}

export interface FollowOptions {
  /** Names the operation in error messages, e.g. "build of my-svc:1.0". */
  operation: string;
  /** Abort destroys the stream, which is the only way to stop an engine stream mid-flight. */
  signal?: AbortSignal;
  onEvent?: (event: DockerProgressEvent) => void;
}

const OUTPUT_TAIL_LINES = 30;

/**
 * Waits for a progress stream to end and rejects if the engine reported a failure in it.
 *
 * Why this exists: the engine answers build/push with HTTP 200 before doing the work, so a
 * failing RUN step or a refused push arrives as an `error`/`errorDetail` message in the body,
 * and dockerode's followProgress still finishes with `err === null`. Callers that only check
 * the callback error treat failed builds as successes.
 */
export function followDockerStream(
  docker: Dockerode,
  stream: NodeJS.ReadableStream,
  options: FollowOptions,
): Promise<DockerProgressEvent[]> {
  const { operation, signal, onEvent } = options;
  return new Promise((resolve, reject) => {
    const tail: string[] = [];
    const onAbort = (): void => {
      const reason: unknown = signal?.reason;
      destroy(stream, new Error(`${operation} aborted: ${String(reason ?? 'aborted')}`));
    };
    docker.modem.followProgress(
      stream,
      (err: Error | null, output: unknown[]) => {
        signal?.removeEventListener('abort', onAbort);
        if (err) {
          reject(err);
          return;
        }
        const events = output.filter(isEvent);
        const failure = events.find((e) => e.error !== undefined || e.errorDetail !== undefined);
        if (failure) {
          const detail = failure.errorDetail?.message ?? failure.error ?? 'unknown error';
          reject(new DockerStreamError(`${operation} failed: ${detail}`, tail, detail));
          return;
        }
        resolve(events);
      },
      (raw: unknown) => {
        if (!isEvent(raw)) return;
        rememberOutput(tail, raw);
        onEvent?.(raw);
      },
    );

    // Only now: followProgress's 'error' listener must exist before destroy() can emit one.
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Image id of a classic-builder build; its absence means the stream was cut short. */
export function builtImageId(events: readonly DockerProgressEvent[], operation: string): string {
  for (const event of events) {
    const id = stringField(event.aux, 'ID');
    if (id) return id;
  }
  throw new DockerStreamError(`${operation} ended without reporting an image id`, []);
}

/**
 * Manifest digest of a push, taken from the engine's final aux message. Deployments pin this
 * digest rather than the tag, so a push that ends without one is treated as failed.
 */
export function pushedDigest(events: readonly DockerProgressEvent[], operation: string): string {
  for (let i = events.length - 1; i >= 0; i--) {
    const digest = stringField(events[i]?.aux, 'Digest');
    if (digest) return digest;
  }
  throw new DockerStreamError(`${operation} ended without reporting a digest`, []);
}

function isEvent(value: unknown): value is DockerProgressEvent {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field: unknown = (value as Record<string, unknown>)[key];
  return typeof field === 'string' && field.length > 0 ? field : undefined;
}

function rememberOutput(tail: string[], event: DockerProgressEvent): void {
  const text = event.stream ?? event.status;
  if (!text || event.progress !== undefined) return;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    tail.push(line);
    if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
  }
}

function destroy(stream: NodeJS.ReadableStream, error: Error): void {
  const destroyable = stream as NodeJS.ReadableStream & { destroy?: (e?: Error) => void };
  if (typeof destroyable.destroy === 'function') {
    destroyable.destroy(error);
  } else {
    stream.emit('error', error);
  }
}
