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
import type { DeclaredTensor } from '../bento/signature.js';
import { DTYPES, type HostTensor, type TensorData } from './tensor.js';
import type { ParseThreadInit } from './parse-thread-protocol.js';
import { serveBodyParsing } from './parse-thread-worker.js';
import type { LoadedModel, RunRequest, WorkerInit, WorkerMessage } from './worker-protocol.js';
import { RuntimeError } from './runtime-error.js';

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
  const sessions = new Map<string, InferenceSession>();
  const loaded: LoadedModel[] = [];
  const notes: string[] = [];
  for (const model of init.models) {
    const options: InferenceSession.SessionOptions = {
      intraOpNumThreads: init.intraOpThreads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      // Idle onnxruntime threads otherwise spin for a while after each run, taking the core
      // the HTTP thread needs to parse the next requests (measured: docs/benchmarks.md).
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    };
    let session: InferenceSession;
    let provider: LoadedModel['provider'] = 'cpu';
    if (init.device === 'gpu') {
      // With ['cuda', 'cpu'] onnxruntime-node throws when the CUDA libraries are missing instead
      // of falling back, so try CUDA alone and fall back ourselves, saying so.
      try {
        session = await ort.InferenceSession.create(model.file, {
          ...options,
          executionProviders: ['cuda'],
        });
        provider = 'cuda';
      } catch (error) {
        // Serving on CPU what was meant for a GPU is slow enough to be an outage nobody sees;
        // only an explicit setting allows it.
        if (init.deviceFallback !== 'cpu') throw new DeviceUnavailable(model.name, error);
        notes.push(
          `model ${model.name}: CUDA execution provider unavailable (${firstLine(error)}); running on CPU (device_fallback: cpu)`,
        );
        session = await ort.InferenceSession.create(model.file, {
          ...options,
          executionProviders: ['cpu'],
        });
      }
    } else {
      session = await ort.InferenceSession.create(model.file, {
        ...options,
        executionProviders: ['cpu'],
      });
    }
    sessions.set(model.name, session);
    loaded.push({
      name: model.name,
      inputs: session.inputMetadata.map(declared),
      outputs: session.outputMetadata.map(declared),
      provider,
    });
  }
  send({ type: 'loaded', models: loaded, notes });

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
    const feeds: Record<string, Tensor> = {};
    for (const [name, host] of Object.entries(request.feeds)) {
      feeds[name] = new TensorClass(host.dtype, host.data as Float32Array, [...host.dims]);
    }
    const started = performance.now();
    const results = await session.run(feeds);
    const computeMs = performance.now() - started;
    const outputs: Record<string, HostTensor> = {};
    const transfer: ArrayBuffer[] = [];
    for (const [name, tensor] of Object.entries(results)) {
      const host = toHost(name, tensor);
      outputs[name] = host;
      if (host.data.buffer instanceof ArrayBuffer && !transfer.includes(host.data.buffer))
        transfer.push(host.data.buffer);
    }
    send({ type: 'result', id: request.id, outputs, computeMs }, transfer);
  } catch (error) {
    send({ type: 'run-failed', id: request.id, message: firstLine(error) });
  }
}

function toHost(name: string, tensor: Tensor): HostTensor {
  const dtype = tensor.type;
  if (!(dtype in DTYPES))
    throw new Error(`output "${name}" has element type ${dtype}, which cannot be sent as JSON`);
  const source = tensor.data as TensorData;
  // Copy into a buffer of our own: the result may view memory onnxruntime owns, which cannot be
  // transferred, and a tight copy is what gets posted back anyway.
  const data = DTYPES[dtype as keyof typeof DTYPES].create(source.length);
  (data as Float32Array).set(source as Float32Array);
  return { dtype: dtype as HostTensor['dtype'], dims: [...tensor.dims], data };
}

function declared(meta: InferenceSession.ValueMetadata): DeclaredTensor {
  if (!meta.isTensor) return { name: meta.name, type: 'non-tensor', shape: [] };
  return {
    name: meta.name,
    type: meta.type,
    shape: meta.shape.map((dim) => (typeof dim === 'number' ? dim : String(dim))),
  };
}

/** device gpu, the CUDA provider does not load, and no fallback to CPU is configured. */
class DeviceUnavailable extends RuntimeError {
  constructor(model: string, cause: unknown) {
    super(
      `model ${model}: device is gpu but the CUDA execution provider is unavailable (${firstLine(cause)}); give the instance a GPU with its driver and the CUDA 12 + cuDNN 9 libraries (the bentoctl CUDA image has them), or set runtime.device_fallback: cpu (BENTOCTL_DEVICE_FALLBACK=cpu) to serve on CPU`,
    );
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
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
