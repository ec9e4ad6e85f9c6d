/**
 * onnxruntime sessions as the runtime opens and runs them, wherever they run: on an inference
 * thread (src/runtime/inference-worker.ts) or on the HTTP thread (src/runtime/inline-runner.ts).
 * One place for the session options, the CUDA fallback rule and the tensor conversions, so
 * both placements serve a model identically.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { DeclaredTensor } from '../bento/signature.js';
import { DTYPES, type HostTensor, type TensorData } from './tensor.js';
import type { LoadedModel, WorkerInit } from './worker-protocol.js';
import { RuntimeError } from './runtime-error.js';

type Ort = typeof import('onnxruntime-node');

export interface OpenedSessions {
  readonly sessions: ReadonlyMap<string, InferenceSession>;
  readonly loaded: readonly LoadedModel[];
  /** Warnings to log (a permitted CPU fallback). */
  readonly notes: readonly string[];
}

/** Opens one session per model of `init`; throws DeviceUnavailable under the rule below. */
export async function openSessions(
  ort: Ort,
  init: Pick<WorkerInit, 'models' | 'intraOpThreads' | 'device' | 'deviceFallback'>,
): Promise<OpenedSessions> {
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
  return { sessions, loaded, notes };
}

export interface SessionResult {
  readonly outputs: Record<string, HostTensor>;
  /** Time of the run itself, in ms (not the wait for the check phase before it). */
  readonly computeMs: number;
  /** The outputs' buffers, which the caller owns (transferable to another thread). */
  readonly buffers: ArrayBuffer[];
}

/** One session.run on host tensors; the inputs are viewed, not copied. */
export async function runSession(
  TensorClass: typeof Tensor,
  session: InferenceSession,
  feeds: Readonly<Record<string, HostTensor>>,
): Promise<SessionResult> {
  const inputs: Record<string, Tensor> = {};
  for (const [name, host] of Object.entries(feeds)) {
    inputs[name] = new TensorClass(host.dtype, host.data as Float32Array, [...host.dims]);
  }
  // session.run defers the run itself to the check phase, so timing from this call would also
  // count the rest of the current poll phase: nothing on an inference thread, but on the HTTP
  // thread 15 ms at 512 connections, which would make the cost model believe batches take that
  // long. An immediate queued just before onnxruntime's runs just before the run: its start.
  let started = performance.now();
  setImmediate(() => (started = performance.now()));
  const results = await session.run(inputs);
  const computeMs = performance.now() - started;
  const outputs: Record<string, HostTensor> = {};
  const buffers: ArrayBuffer[] = [];
  for (const [name, tensor] of Object.entries(results)) {
    const host = toHost(name, tensor);
    outputs[name] = host;
    if (host.data.buffer instanceof ArrayBuffer && !buffers.includes(host.data.buffer))
      buffers.push(host.data.buffer);
  }
  return { outputs, computeMs, buffers };
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
export class DeviceUnavailable extends RuntimeError {
  constructor(model: string, cause: unknown) {
    super(
      `model ${model}: device is gpu but the CUDA execution provider is unavailable (${firstLine(cause)}); give the instance a GPU with its driver and the CUDA 12 + cuDNN 9 libraries (the bentoctl CUDA image has them), or set runtime.device_fallback: cpu (BENTOCTL_DEVICE_FALLBACK=cpu) to serve on CPU`,
    );
  }
}

export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
