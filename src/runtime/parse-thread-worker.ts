/**
 * The parse thread's side: decodes the bodies the HTTP thread sends (rows counted, JSON parsed,
 * inputs checked) and sends back typed arrays, which move between threads without a copy. Runs
 * in the inference-worker script (one bundle entry point for both kinds of thread).
 */
import type { MessagePort } from 'node:worker_threads';
import { decodeApiBytes, decodeV2Bytes } from './decode-body.js';
import { HttpError } from './http-errors.js';
import type { ParseJob, ParseReply, ParseThreadInit } from './parse-thread-protocol.js';

export function serveBodyParsing(port: MessagePort, init: ParseThreadInit): void {
  port.on('message', (job: ParseJob) => {
    port.postMessage(...reply(job, init));
  });
}

function reply(job: ParseJob, init: ParseThreadInit): [ParseReply, ArrayBuffer[]] {
  try {
    const target = (job.kind === 'api' ? init.apis : init.models)[job.name];
    if (target === undefined) throw new Error(`no ${job.kind} target "${job.name}"`);
    const bytes = Buffer.from(job.bytes);
    if (job.kind === 'api') {
      const body = decodeApiBytes(bytes, target);
      return [{ id: job.id, ok: true, body }, buffersOf(body.tensors)];
    }
    const request = decodeV2Bytes(bytes, target);
    return [
      {
        id: job.id,
        ok: true,
        body: {
          tensors: request.tensors,
          rows: request.rows,
          id: request.id,
          outputs: request.outputs,
          binaryOutputs: [...request.binaryOutputs],
        },
      },
      buffersOf(request.tensors),
    ];
  } catch (error) {
    if (error instanceof HttpError) {
      return [
        {
          id: job.id,
          ok: false,
          code: error.code,
          message: error.message,
          ...(error.retryAfterSeconds === undefined
            ? {}
            : { retryAfterSeconds: error.retryAfterSeconds }),
        },
        [],
      ];
    }
    return [
      { id: job.id, ok: false, message: error instanceof Error ? error.message : String(error) },
      [],
    ];
  }
}

function buffersOf(tensors: readonly { readonly data: { readonly buffer: ArrayBufferLike } }[]) {
  const buffers: ArrayBuffer[] = [];
  for (const tensor of tensors) {
    const { buffer } = tensor.data;
    if (buffer instanceof ArrayBuffer && !buffers.includes(buffer)) buffers.push(buffer);
  }
  return buffers;
}
