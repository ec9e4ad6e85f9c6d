/**
 * An inference thread: one onnxruntime session per model, running batches sent by the HTTP
 * thread. session.run blocks its thread for the whole inference, which is why it lives here
 * and not on the thread that answers HTTP (health checks must answer while a batch runs).
 *
 * A separate bundle entry point: the runtime starts it with `new Worker(<this file>)`. With
 * `role: 'parse'` in its workerData it is the parse thread instead (src/runtime/body-decoder.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { DeviceUnavailable, firstLine, openSessions, runSession } from './onnx-session.js';
import type { ParseThreadInit } from './parse-thread-protocol.js';
import { serveBodyParsing } from './parse-thread-worker.js';
import type { RunRequest, WorkerInit, WorkerMessage } from './worker-protocol.js';

// Set before onnxruntime loads: the runtime must make no outbound calls.
process.env.ORT_DISABLE_TELEMETRY = '1';

const port = parentPort;
if (port === null) throw new Error('inference-worker must run as a worker thread');
const data = workerData as WorkerInit | ParseThreadInit;
// The same script runs the parse thread (src/runtime/body-decoder.ts): one bundle entry point.
const parsing = 'role' in data && data.role === 'parse';
const init = data as WorkerInit;
const dropUpTo = new Int32Array(parsing ? new SharedArrayBuffer(4) : init.dropUpTo);
const send = (message: WorkerMessage, transfer: ArrayBuffer[] = []): void =>
  port.postMessage(message, transfer);

async function main(): Promise<void> {
  const ort = await import('onnxruntime-node');
  const { sessions, loaded, notes } = await openSessions(ort, init);
  send({ type: 'loaded', models: [...loaded], notes: [...notes] });

  // One run at a time: the HTTP thread may post the next batch while one runs (worker-pool's
  // MAX_JOBS_PER_THREAD), and session.run is asynchronous, so without this chain two runs
  // would share the thread's cores.
  let previous: Promise<void> = Promise.resolve();
  port!.on('message', (request: RunRequest) => {
    const session = sessions.get(request.model);
    if (session === undefined) {
      send({ type: 'run-failed', id: request.id, message: `no model ${request.model}` });
      return;
    }
    previous = previous.then(() =>
      request.id <= Atomics.load(dropUpTo, 0)
        ? send({ type: 'run-failed', id: request.id, message: 'dropped', dropped: true })
        : run(ort.Tensor, session, request),
    );
  });
}

async function run(
  TensorClass: typeof Tensor,
  session: InferenceSession,
  request: RunRequest,
): Promise<void> {
  try {
    const { outputs, computeMs, buffers } = await runSession(TensorClass, session, request.feeds);
    send({ type: 'result', id: request.id, outputs, computeMs }, buffers);
  } catch (error) {
    send({ type: 'run-failed', id: request.id, message: firstLine(error) });
  }
}

if (parsing) serveBodyParsing(port, data as ParseThreadInit);
else
  main().catch((error: unknown) =>
    send({
      type: 'load-failed',
      message: firstLine(error),
      ...(error instanceof DeviceUnavailable ? { deviceUnavailable: true } : {}),
    }),
  );
