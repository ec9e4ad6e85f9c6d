/**
 * The models and APIs of a bento, live: inference threads started, signatures resolved
 * (onnxruntime metadata + bento.yaml overrides), one batcher per API, warmed up so that
 * /readyz only says ready once the first real request will be fast.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { BentoManifest } from '../bento/manifest.js';
import type { ApiSpec } from '../bento/schema.js';
import { batchingProblem, resolveSignature, type ModelSignature } from '../bento/signature.js';
import { Batcher } from './batcher.js';
import { BodyDecoder } from './body-decoder.js';
import type { DecodeTarget } from './decode-body.js';
import { HttpError } from './http-errors.js';
import type { Logger } from './logger.js';
import type { RuntimeMetrics } from './metrics.js';
import type { RuntimeSettings } from './settings.js';
import { DTYPES, type HostTensor } from './tensor.js';
import { InlineRunner } from './inline-runner.js';
import { RunnerSlot, type InferenceRunner, type Placement } from './inference-runner.js';
import { WorkerPool } from './worker-pool.js';

export interface ServedModel {
  readonly name: string;
  readonly signature: ModelSignature;
  readonly provider: 'cpu' | 'cuda';
}

export interface ServedApi {
  readonly name: string;
  readonly spec: ApiSpec | undefined;
  readonly model: ServedModel;
  readonly batcher: Batcher;
}

export class InferenceService {
  private constructor(
    readonly models: ReadonlyMap<string, ServedModel>,
    /** By API name; also `v2:<model>` for models that no API serves. */
    readonly apis: ReadonlyMap<string, ServedApi>,
    /** The batcher `POST /v2/models/<name>/infer` uses for each model. */
    readonly v2Apis: ReadonlyMap<string, ServedApi>,
    /** Request bodies to tensors: large ones on the parse thread. */
    readonly bodies: BodyDecoder,
    private readonly runner: RunnerSlot,
  ) {}

  /** Where batches run now. */
  get placement(): Placement {
    return this.runner.current.placement;
  }

  /**
   * Makes `next` the runner of every batcher. Batchers share it: when it frees, each is
   * offered it in turn.
   */
  private attach(next: InferenceRunner, batchers: readonly Batcher[]): void {
    this.runner.current = next;
    let turn = 0;
    next.on('idle', () => {
      for (let index = 0; index < batchers.length && next.idleCount() > 0; index += 1) {
        batchers[(turn + index) % batchers.length]?.schedule();
      }
      turn = (turn + 1) % batchers.length;
    });
    // With every thread dead nothing queued can run: refuse it now rather than let it wait
    // for its deadline (or, with batching off, for ever). Requests that arrive later are
    // refused by the routes, which see the crash too.
    next.on('crash', (error) => {
      if (next.aliveCount() > 0) return;
      for (const batcher of batchers) {
        batcher.abandon(
          () =>
            new HttpError(
              'NOT_READY',
              `every inference thread has died (${error.message}); this instance must be restarted`,
              1,
            ),
        );
      }
    });
  }

  static async start(options: {
    readonly manifest: BentoManifest;
    readonly settings: RuntimeSettings;
    readonly workerScript: string | URL;
    readonly logger: Logger;
    readonly metrics: RuntimeMetrics;
  }): Promise<InferenceService> {
    const { manifest, settings, logger, metrics } = options;
    const init = {
      models: manifest.models.map((model) => ({ name: model.name, file: model.file })),
      intraOpThreads: settings.intraOpThreads,
      device: settings.device,
      deviceFallback: settings.deviceFallback,
    };
    // Loaded on the inference threads first, whatever runs them later: a large model loading
    // on the HTTP thread would stall liveness, and the warm-up there measures the batches that
    // decide whether they may run on the HTTP thread at all.
    const {
      pool,
      models: loaded,
      notes,
    } = await WorkerPool.start(options.workerScript, settings.inferenceThreads, init);
    const runner = new RunnerSlot(pool);
    for (const note of notes) logger.log('warn', note);
    try {
      const models = new Map<string, ServedModel>();
      for (const model of manifest.models) {
        const declared = loaded.find((entry) => entry.name === model.name);
        if (declared === undefined) throw new Error(`model ${model.name} did not load`);
        const { signature, problems } = resolveSignature(declared, model);
        if (problems.length > 0) {
          throw new Error(
            `model ${model.name}: ${problems.map((p) => `${p.side}.${p.name}: ${p.message}`).join('; ')}`,
          );
        }
        models.set(model.name, { name: model.name, signature, provider: declared.provider });
      }
      const makeApi = (name: string, spec: ApiSpec | undefined, model: ServedModel): ServedApi => {
        const wanted = (spec?.batchable ?? true) && settings.batching;
        const problem = batchingProblem(model.signature);
        if (wanted && problem !== undefined) {
          logger.log('warn', `api ${name}: batching off: ${problem}`, { api: name });
        }
        const batcher = new Batcher({
          api: name,
          model: model.name,
          inputNames: model.signature.inputs.map((input) => input.name),
          batchable: wanted && problem === undefined,
          maxBatchSize: spec?.max_batch_size ?? settings.maxBatchSize,
          maxLatencyMs: spec?.max_latency_ms ?? settings.maxLatencyMs,
          maxQueueRows: settings.maxQueueRows,
          runner,
          onBatch: ({ rows, computeMs }) => {
            metrics.batchSize.observe({ api: name }, rows);
            metrics.inferenceDuration.observe({ model: model.name }, computeMs / 1000);
          },
        });
        return { name, spec, model, batcher };
      };
      const apis = new Map<string, ServedApi>();
      const v2Apis = new Map<string, ServedApi>();
      for (const spec of manifest.apis) {
        const model = models.get(spec.model) as ServedModel;
        const api = makeApi(spec.name, spec, model);
        apis.set(spec.name, api);
        if (!v2Apis.has(model.name)) v2Apis.set(model.name, api);
      }
      for (const model of models.values()) {
        if (!v2Apis.has(model.name)) {
          const api = makeApi(`v2:${model.name}`, undefined, model);
          apis.set(api.name, api);
          v2Apis.set(model.name, api);
        }
      }
      const batchers = [...apis.values()].map((api) => api.batcher);
      const target = (api: ServedApi): DecodeTarget => ({
        api: api.name,
        inputs: api.model.signature.inputs,
        outputs: api.model.signature.outputs,
        maxQueueRows: settings.maxQueueRows,
      });
      const bodies = new BodyDecoder({
        script: options.workerScript,
        apis: Object.fromEntries([...apis].map(([name, api]) => [name, target(api)])),
        models: Object.fromEntries([...v2Apis].map(([name, api]) => [name, target(api)])),
        minBytes: Math.round(settings.parseThreadMinKb * 1024),
        onParsed: (thread) => metrics.countBodyParsed(thread),
        onCrash: (error) =>
          logger.log('error', 'the parse thread died; bodies now parse on the HTTP thread', {
            error: error.message,
          }),
      });
      const service = new InferenceService(models, apis, v2Apis, bodies, runner);
      service.attach(pool, batchers);
      // More timed passes only where the placement depends on them.
      const measured = await service.warmUp(
        logger,
        settingsDecision(settings) === undefined ? 3 : 1,
      );
      const inline = inlineDecision(
        settings,
        [...apis.values()].map((api) => ({
          api: api.name,
          largestBatchMs: measured.get(api.name),
          maxBatchSize: api.batcher.batchable ? api.batcher.maxBatchSize : 1,
        })),
        manifest.models.map((model) => model.file),
      );
      if (inline.run) {
        const onThisThread = await InlineRunner.open(init);
        service.attach(onThisThread, batchers);
        await service.warmUp(logger);
        await pool.close();
      }
      logger.log('info', `inference on the ${runner.current.placement}: ${inline.why}`, {
        placement: runner.current.placement,
      });
      return service;
    } catch (error) {
      await runner.current.close();
      if (runner.current !== pool) await pool.close();
      throw error;
    }
  }

  /** The API named `name` (an API of the bento, or `v2:<model>`). */
  api(name: string): ServedApi {
    const api = this.apis.get(name);
    if (api === undefined) throw new Error(`no API "${name}" is served`);
    return api;
  }

  /** The API `POST /v2/models/<model>/infer` uses. */
  v2Api(model: string): ServedApi {
    const api = this.v2Apis.get(model);
    if (api === undefined) throw new Error(`no model "${model}" is served`);
    return api;
  }

  /** Inference threads running batches (0: they run on the HTTP thread). */
  get threads(): number {
    return this.placement === 'HTTP thread' ? 0 : this.runner.current.size;
  }

  busyThreads(): number {
    return this.runner.current.busyCount();
  }

  /** Called when an inference thread dies: the process can no longer serve fully. */
  onCrash(listener: (error: Error) => void): void {
    this.runner.current.on('crash', listener);
  }

  /** Queued rows per API, for the queue-depth gauge. */
  queueDepths(): Map<string, number> {
    return new Map([...this.apis.values()].map((api) => [api.name, api.batcher.depth]));
  }

  /** Lets queued work go at once and resolves when every batcher is empty. */
  async drain(): Promise<void> {
    await Promise.all([...this.apis.values()].map((api) => api.batcher.drain()));
  }

  /** Refuses queued work and resolves once the batches already running have finished. */
  async abandon(): Promise<void> {
    const batchers = [...this.apis.values()].map((api) => api.batcher);
    for (const batcher of batchers) batcher.abandon();
    // Batches queued on the threads behind the running ones are refused too.
    this.runner.current.dropQueued();
    await Promise.all(batchers.map((batcher) => batcher.idle()));
  }

  async close(): Promise<void> {
    await Promise.all([this.runner.current.close(), this.bodies.close()]);
  }

  /**
   * Runs each model on every thread at 1 row and at the batch limit: the first runs of a
   * session are slow (allocations, kernel selection), and the timings seed the cost models.
   * `measuredPasses` runs are timed after the first; returns, per API warmed, the shortest
   * time inside onnxruntime of its largest batch (the least disturbed of those runs: the
   * figure the placement is decided on).
   */
  private async warmUp(logger: Logger, measuredPasses = 1): Promise<Map<string, number>> {
    const largest = new Map<string, number>();
    for (const api of this.apis.values()) {
      const { signature } = api.model;
      const fixed = signature.inputs.every((input) =>
        input.dims.slice(1).every((dim) => dim !== null),
      );
      if (!fixed) {
        logger.log(
          'info',
          `api ${api.name}: no warm-up (inputs have dynamic dimensions besides the batch)`,
          { api: api.name },
        );
        continue;
      }
      const sizes = [...new Set(api.batcher.batchable ? [1, api.batcher.maxBatchSize] : [1])];
      for (const rows of sizes) {
        for (let pass = 0; pass <= measuredPasses; pass += 1) {
          // One job per thread at once, so every thread's session gets warmed; fresh inputs for
          // each, since a job's input memory moves to its thread.
          const runs = Array.from({ length: this.runner.current.size }, () => {
            const feeds = Object.fromEntries(
              signature.inputs.map((input) => [input.name, zeros(input, rows)]),
            );
            return this.runner.current.run(api.model.name, feeds);
          });
          const results = await Promise.all(runs);
          if (pass === 0) continue;
          for (const { computeMs } of results) {
            api.batcher.cost.observe(rows, computeMs);
            if (rows === sizes.at(-1))
              largest.set(api.name, Math.min(largest.get(api.name) ?? Infinity, computeMs));
          }
        }
      }
      const { slopeMs, interceptMs } = api.batcher.cost.parameters;
      logger.log('info', `api ${api.name}: warmed up`, {
        api: api.name,
        costMsPerRow: round(slopeMs),
        costMsPerBatch: round(interceptMs),
      });
    }
    return largest;
  }
}

/**
 * The longest batch (as the warm-up measured it) allowed to run on the HTTP thread: what a
 * health check or a new connection may wait behind. A few ms is far inside any probe timeout.
 */
export const INLINE_MAX_BATCH_MS = 2;

/** The largest model file opened on the HTTP thread: opening it blocks the thread. */
export const INLINE_MAX_MODEL_MB = 64;

/**
 * Whether batches move to the HTTP thread after the warm-up, and why (logged). Only when it
 * cannot cost parallelism or responsiveness: one core per process, CPU inference, one
 * inference thread asked for, small model files, and every API's largest batch measured short.
 */
export function inlineDecision(
  settings: InlineSettings,
  apis: readonly {
    readonly api: string;
    /** The warm-up's shortest time inside onnxruntime for its largest batch; unmeasured: undefined. */
    readonly largestBatchMs: number | undefined;
    readonly maxBatchSize: number;
  }[],
  modelFiles: readonly string[],
): InlineDecision {
  const bySettings = settingsDecision(settings);
  if (bySettings !== undefined) return bySettings;
  for (const file of modelFiles) {
    const mb = statSync(file).size / 1_048_576;
    if (mb > INLINE_MAX_MODEL_MB)
      return {
        run: false,
        why: `${basename(file)} is ${Math.round(mb)} MB (over ${INLINE_MAX_MODEL_MB} MB, too long to open on the HTTP thread)`,
      };
  }
  let longest = 0;
  for (const { api, largestBatchMs, maxBatchSize } of apis) {
    if (largestBatchMs === undefined)
      return { run: false, why: `api ${api} was not measured (dynamic dimensions)` };
    if (largestBatchMs > INLINE_MAX_BATCH_MS)
      return {
        run: false,
        why: `api ${api}: a batch of ${maxBatchSize} takes ${round(largestBatchMs)} ms (over ${INLINE_MAX_BATCH_MS} ms)`,
      };
    longest = Math.max(longest, largestBatchMs);
  }
  return {
    run: true,
    why: `one core per process and batches of ${round(longest)} ms at most (up to ${INLINE_MAX_BATCH_MS} ms allowed)`,
  };
}

interface InlineDecision {
  readonly run: boolean;
  readonly why: string;
}

type InlineSettings = Pick<
  RuntimeSettings,
  'inlineInference' | 'coresPerProcess' | 'device' | 'inferenceThreads'
>;

/**
 * The placement when the settings alone decide it; undefined when it depends on the model
 * files and the warm-up's timings (so the warm-up times more passes).
 */
export function settingsDecision(settings: InlineSettings): InlineDecision | undefined {
  if (settings.inlineInference !== 'auto') {
    return {
      run: settings.inlineInference === 'on',
      why: `BENTOCTL_INLINE_INFERENCE=${settings.inlineInference}`,
    };
  }
  if (settings.coresPerProcess > 1)
    return {
      run: false,
      why: `${settings.coresPerProcess} cores per process, so inference runs beside HTTP`,
    };
  if (settings.device !== 'cpu') return { run: false, why: `device ${settings.device}` };
  if (settings.inferenceThreads > 1)
    return { run: false, why: `BENTOCTL_INFERENCE_THREADS=${settings.inferenceThreads}` };
  return undefined;
}

function zeros(
  input: { dtype: HostTensor['dtype']; dims: readonly (number | null)[] },
  rows: number,
): HostTensor {
  const dims = input.dims.map((dim, index) => (index === 0 && dim === null ? rows : (dim ?? 1)));
  let count = 1;
  for (const dim of dims) count *= dim;
  return { dtype: input.dtype, dims, data: DTYPES[input.dtype].create(count) };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
