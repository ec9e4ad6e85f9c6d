/**
 * Where request bodies are parsed. JSON.parse and the input checks run on the thread that
 * calls them, and a 4 MB body keeps a thread busy 50-100 ms: on the HTTP thread, every other
 * request (health checks included) would wait that long. So bodies from `minBytes` go to the
 * parse thread, a worker thread of their own; smaller ones parse on the HTTP thread, where a
 * round trip to another thread would cost more than the parse.
 *
 * Not the inference threads, which exist already: a parse there would hold up the batches
 * every other request waits for (measured: docs/benchmarks.md, bench:runtime-mixed).
 */
import { Worker } from 'node:worker_threads';
import {
  decodeApiBytes,
  decodeV2Bytes,
  type DecodeTarget,
  type DecodedApiBody,
} from './decode-body.js';
import type { V2Request } from './decode-v2.js';
import { HttpError } from './http-errors.js';
import type { ParseJob, ParseReply, ParsedBody, ParseThreadInit } from './parse-thread-protocol.js';

export interface BodyDecoderOptions {
  /** The inference-worker script, which also runs the parse thread. */
  readonly script: string | URL;
  readonly apis: Readonly<Record<string, DecodeTarget>>;
  readonly models: Readonly<Record<string, DecodeTarget>>;
  /** Bodies of at least this many bytes go to the parse thread; 0 = none do. */
  readonly minBytes: number;
  /** Called once per body parsed, with the thread that parsed it. */
  readonly onParsed?: (thread: 'http' | 'parse') => void;
  /** Called if the parse thread dies (bodies then parse on the HTTP thread). */
  readonly onCrash?: (error: Error) => void;
}

interface Waiting {
  readonly resolve: (body: ParsedBody) => void;
  readonly reject: (error: Error) => void;
}

export class BodyDecoder {
  private readonly worker: Worker | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private dead = false;

  constructor(private readonly options: BodyDecoderOptions) {
    if (options.minBytes <= 0) return;
    const init: ParseThreadInit = { role: 'parse', apis: options.apis, models: options.models };
    const worker = new Worker(options.script, { workerData: init });
    // The thread idles between bodies; it must not keep the process alive on its own.
    worker.unref();
    worker.on('message', (reply: ParseReply) => this.settle(reply));
    const fail = (error: Error): void => {
      if (this.dead) return;
      this.dead = true;
      for (const waiting of this.waiting.values()) waiting.reject(error);
      this.waiting.clear();
      options.onCrash?.(error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the parse thread exited with code ${code}`)));
    this.worker = worker;
  }

  /**
   * A `POST /<api>` body (or a task submit's). A small body is decoded here and now, without a
   * promise (this runs on every request); a large one comes back from the parse thread.
   */
  decodeApi(api: string, bytes: Buffer): DecodedApiBody | Promise<DecodedApiBody> {
    const target = this.target(this.options.apis, api);
    if (!this.offThread(bytes)) {
      this.options.onParsed?.('http');
      return decodeApiBytes(bytes, target);
    }
    return this.send('api', api, bytes).then((body) => ({
      tensors: body.tensors,
      rows: body.rows,
    }));
  }

  /** A JSON `POST /v2/models/<model>/infer` body. */
  async decodeV2(model: string, bytes: Buffer): Promise<V2Request> {
    const target = this.target(this.options.models, model);
    if (!this.offThread(bytes)) {
      this.options.onParsed?.('http');
      return decodeV2Bytes(bytes, target);
    }
    const body = await this.send('v2', model, bytes);
    return {
      id: body.id,
      tensors: body.tensors,
      rows: body.rows,
      outputs: body.outputs,
      binaryOutputs: new Set(body.binaryOutputs),
    };
  }

  async close(): Promise<void> {
    this.dead = true;
    await this.worker?.terminate();
  }

  private target(targets: Readonly<Record<string, DecodeTarget>>, name: string): DecodeTarget {
    const target = targets[name];
    if (target === undefined) throw new Error(`no decode target "${name}"`);
    return target;
  }

  private offThread(bytes: Buffer): boolean {
    return this.worker !== undefined && !this.dead && bytes.length >= this.options.minBytes;
  }

  private send(kind: ParseJob['kind'], name: string, bytes: Buffer): Promise<ParsedBody> {
    const id = this.nextId++;
    // Move the bytes instead of copying them; a Buffer that views a larger (pooled) one is
    // copied out first, since moving that would take its neighbours too.
    const own =
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
        ? (bytes.buffer as ArrayBuffer)
        : (bytes.buffer.slice(
            bytes.byteOffset,
            bytes.byteOffset + bytes.byteLength,
          ) as ArrayBuffer);
    const job: ParseJob = { id, kind, name, bytes: own };
    return new Promise<ParsedBody>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker?.postMessage(job, [own]);
      this.options.onParsed?.('parse');
    });
  }

  private settle(reply: ParseReply): void {
    const waiting = this.waiting.get(reply.id);
    if (waiting === undefined) return;
    this.waiting.delete(reply.id);
    if (reply.ok) waiting.resolve(reply.body);
    else if (reply.code !== undefined)
      waiting.reject(new HttpError(reply.code, reply.message, reply.retryAfterSeconds));
    else waiting.reject(new Error(`the parse thread failed: ${reply.message}`));
  }
}
