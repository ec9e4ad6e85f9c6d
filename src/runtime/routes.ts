/**
 * What each path does. Inference paths decode and check the body, queue it on the API's
 * batcher and encode the outputs; health, metrics and docs paths answer from memory, so they
 * stay fast while batches run on the inference threads.
 */
import type { IncomingMessage } from 'node:http';
import type { BentoManifest } from '../bento/manifest.js';
import type { Authenticator } from './auth.js';
import { INFERENCE_HEADER, splitBinaryBody } from './binary-tensors.js';
import type { ClusterReadiness } from './cluster-link.js';
import type { DecodedApiBody } from './decode-body.js';
import { decodeV2Body, type V2Request } from './decode-v2.js';
import { encodeV2Response } from './encode-v2.js';
import { HttpError } from './http-errors.js';
import type { RuntimeMetrics } from './metrics.js';
import type { ServedRevision } from './served-revision.js';
import { openApiDocument } from './openapi.js';
import {
  checkJsonContentType,
  DRAIN_LINGER_MS,
  parseJsonBody,
  readBodyBytes,
} from './read-body.js';
import type { InferenceService, ServedApi } from './service.js';
import { DeviceUnavailableError } from './worker-pool.js';
import type { RuntimeSettings } from './settings.js';
import { matchTaskRoute } from './tasks/task-routes.js';
import type { TaskStore } from './tasks/task-store.js';
import { matchSwaggerRoute } from './swagger-page.js';
import { DTYPES, nestedValues, type HostTensor } from './tensor.js';

/** Mutable state shared by the routes: the service once loaded, and the draining flag. */
export interface RuntimeState {
  service: InferenceService | undefined;
  loadError: Error | undefined;
  /** Set when an inference thread died: liveness fails so the orchestrator restarts us. */
  crashed: Error | undefined;
  draining: boolean;
  /** Aborted when draining starts: bodies still arriving get a short last chance. */
  readonly drainSignal: AbortSignal;
  /** With cluster workers: how many serve, as the primary reports (undefined otherwise). */
  cluster: ClusterReadiness | undefined;
}

export interface RouteContext {
  readonly manifest: BentoManifest;
  readonly settings: RuntimeSettings;
  readonly metrics: RuntimeMetrics;
  readonly auth: Authenticator | undefined;
  readonly state: RuntimeState;
  readonly tasks: TaskStore;
  readonly revision: ServedRevision;
}

export interface RouteResult {
  readonly status: number;
  readonly body: unknown;
  /** Set for text or binary bodies (metrics, binary tensors); JSON otherwise. */
  readonly contentType?: string;
  /** Extra response headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Filled by inference routes for the request log. */
  readonly rows?: number;
  readonly batchSizes?: readonly number[];
}

export interface Route {
  /** Bounded label for metrics: the API name, `v2:<model>` or the endpoint. */
  readonly label: string;
  readonly methods: readonly string[];
  readonly handle: (request: IncomingMessage) => Promise<RouteResult>;
}

export function matchRoute(context: RouteContext, path: string): Route | undefined {
  const page = matchSwaggerRoute(path, {
    name: context.manifest.service,
    version: context.manifest.version,
  });
  if (page !== undefined) return page;
  const health = (label: string, handle: () => RouteResult): Route => ({
    label,
    methods: ['GET', 'HEAD'],
    handle: () => Promise.resolve(handle()),
  });
  switch (path) {
    case '/healthz':
    case '/livez':
    case '/v2/health/live':
      return health(path, () => {
        if (context.state.crashed !== undefined) {
          throw new HttpError(
            'INTERNAL',
            `an inference thread crashed: ${context.state.crashed.message}; restart this instance`,
          );
        }
        return { status: 200, body: { status: 'ok', ...context.revision.fields } };
      });
    case '/readyz':
    case '/v2/health/ready':
      return health(path, () => {
        requireReady(context);
        requireClusterReady(context);
        return {
          status: 200,
          body: {
            status: 'ready',
            ...context.revision.fields,
            // Which onnxruntime execution provider each model runs on (device_fallback: cpu
            // makes a gpu deployment serve on cpu; this says so).
            execution_providers: executionProviders(context),
          },
        };
      });
    case '/metrics':
      return {
        label: path,
        methods: ['GET'],
        handle: async () => ({
          status: 200,
          body: await context.metrics.render(),
          contentType: context.metrics.registry.contentType,
        }),
      };
    case '/docs.json':
      return health(path, () => ({ status: 200, body: docs(context) }));
    case '/v2':
      return health(path, () => ({
        status: 200,
        body: {
          name: context.manifest.service,
          version: context.manifest.version,
          extensions: ['binary_tensor_data'],
          ...context.revision.fields,
        },
      }));
    default:
      break;
  }
  const v2 = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/.exec(path);
  if (v2 !== null) return v2Route(context, decodeURIComponent(v2[1] ?? ''), v2[2], v2[3]);
  const api = context.manifest.apis.find((candidate) => `/${candidate.name}` === path);
  if (api !== undefined) {
    return {
      label: api.name,
      methods: ['POST'],
      handle: async (request) => {
        context.auth?.(request.headers.authorization);
        const served = servedApi(context, api.name);
        const { tensors, rows } = await readApiBody(context, request, api.name);
        const result = await served.batcher.submit(tensors, rows);
        const out = apiOutputBody(served, result.outputs);
        return { status: 200, body: out, rows, batchSizes: result.batchSizes };
      },
    };
  }
  return matchTaskRoute(context, path);
}

/** The answer of `POST /<api>`: each output by name, as nested arrays. */
export function apiOutputBody(
  served: ServedApi,
  outputs: Readonly<Record<string, HostTensor>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const output of served.model.signature.outputs) {
    const tensor = outputs[output.name];
    if (tensor !== undefined) out[output.name] = nestedValues(tensor);
  }
  return out;
}

function v2Route(
  context: RouteContext,
  name: string,
  version: string | undefined,
  action: string | undefined,
): Route {
  const known = context.manifest.models.some((model) => model.name === name);
  const label = known ? `v2:${name}` : 'none';
  const check = (): void => {
    if (!known) {
      throw new HttpError(
        'MODEL_NOT_FOUND',
        `there is no model "${name.slice(0, 60)}"; models: ${context.manifest.models.map((m) => `"${m.name}"`).join(', ')}`,
      );
    }
    if (version !== undefined && version !== context.manifest.version) {
      throw new HttpError(
        'MODEL_NOT_FOUND',
        `model "${name}" has no version "${version.slice(0, 40)}"; it is ${context.manifest.version}`,
      );
    }
  };
  if (action === '/ready') {
    return {
      label,
      methods: ['GET'],
      handle: () => {
        check();
        requireReady(context);
        return Promise.resolve({ status: 200, body: { name, ready: true } });
      },
    };
  }
  if (action === '/infer') {
    return {
      label,
      methods: ['POST'],
      handle: async (request) => {
        check();
        context.auth?.(request.headers.authorization);
        requireReady(context);
        const served = context.state.service?.v2Apis.get(name) as ServedApi;
        const { signature } = served.model;
        const decoded = await readV2Body(context, request, name);
        const result = await served.batcher.submit(decoded.tensors, decoded.rows);
        const wanted = decoded.outputs ?? signature.outputs.map((output) => output.name);
        return {
          status: 200,
          rows: decoded.rows,
          batchSizes: result.batchSizes,
          ...encodeV2Response({
            modelName: name,
            modelVersion: context.manifest.version,
            id: decoded.id,
            outputs: wanted.flatMap((outputName) => {
              const tensor = result.outputs[outputName];
              return tensor === undefined ? [] : [{ name: outputName, tensor }];
            }),
            binaryOutputs: decoded.binaryOutputs,
          }),
        };
      },
    };
  }
  return {
    label,
    methods: ['GET'],
    handle: (request) => {
      check();
      context.auth?.(request.headers.authorization);
      requireReady(context);
      const model = context.state.service?.models.get(name);
      const describe = (tensor: {
        name: string;
        dtype: keyof typeof DTYPES;
        dims: readonly (number | null)[];
      }) => ({
        name: tensor.name,
        datatype: DTYPES[tensor.dtype].v2,
        shape: tensor.dims.map((dim) => dim ?? -1),
      });
      return Promise.resolve({
        status: 200,
        body: {
          name,
          versions: [context.manifest.version],
          platform: 'onnxruntime_onnx',
          inputs: model?.signature.inputs.map(describe) ?? [],
          outputs: model?.signature.outputs.map(describe) ?? [],
        },
      });
    },
  };
}

export function servedApi(context: RouteContext, name: string): ServedApi {
  requireReady(context);
  return context.state.service?.apis.get(name) as ServedApi;
}

/** Throws 503 unless the models are loaded and the server is neither draining nor crashed. */
export function requireReady(context: RouteContext): void {
  const { state } = context;
  if (state.draining) throw new HttpError('SHUTTING_DOWN', 'the server is shutting down', 1);
  if (state.crashed !== undefined)
    throw new HttpError('NOT_READY', `an inference thread crashed: ${state.crashed.message}`, 1);
  if (state.service === undefined) {
    if (state.loadError instanceof DeviceUnavailableError)
      throw new HttpError('DEVICE_UNAVAILABLE', state.loadError.message, 1);
    const why =
      state.loadError === undefined
        ? 'the models are still loading'
        : `the models failed to load: ${state.loadError.message}`;
    throw new HttpError('NOT_READY', why, 1);
  }
}

function executionProviders(context: RouteContext): Record<string, string> {
  const models = context.state.service?.models.values() ?? [];
  return Object.fromEntries([...models].map((model) => [model.name, model.provider]));
}

/** With worker processes, ready means every one of them is (so /readyz does not flap). */
function requireClusterReady(context: RouteContext): void {
  const cluster = context.state.cluster;
  if (cluster !== undefined && cluster.ready < cluster.total)
    throw new HttpError(
      'NOT_READY',
      `${cluster.ready} of ${cluster.total} worker processes are ready`,
      1,
    );
}

function bodyLimits(context: RouteContext) {
  return {
    maxBytes: Math.floor(context.settings.maxBodyMb * 1024 * 1024),
    timeoutMs: context.settings.bodyTimeoutMs,
    drain: context.state.drainSignal,
    drainLingerMs: DRAIN_LINGER_MS,
  };
}

/** A `POST /<api>` body (or a task submit's) as tensors; large ones parse off this thread. */
export async function readApiBody(
  context: RouteContext,
  request: IncomingMessage,
  api: string,
): Promise<DecodedApiBody> {
  checkJsonContentType(request);
  const bytes = await readBodyBytes(request, bodyLimits(context));
  return (context.state.service as InferenceService).bodies.decodeApi(api, bytes);
}

/** A v2 infer body: JSON, or a JSON header plus binary tensor data (any content type). */
async function readV2Body(
  context: RouteContext,
  request: IncomingMessage,
  model: string,
): Promise<V2Request> {
  const service = context.state.service as InferenceService;
  const headerLength = request.headers[INFERENCE_HEADER];
  if (typeof headerLength !== 'string') {
    checkJsonContentType(request);
    return service.bodies.decodeV2(model, await readBodyBytes(request, bodyLimits(context)));
  }
  // The JSON part is a header (the tensors are the binary part): small, parsed here.
  const { json, binary } = splitBinaryBody(
    await readBodyBytes(request, bodyLimits(context)),
    headerLength,
  );
  const { signature } = (service.v2Apis.get(model) as ServedApi).model;
  return decodeV2Body(parseJsonBody(json).value, signature.inputs, signature.outputs, binary);
}

const cachedDocs = new WeakMap<InferenceService, unknown>();

function docs(context: RouteContext): unknown {
  requireReady(context);
  const ready = context.state.service as InferenceService;
  const cached = cachedDocs.get(ready);
  if (cached !== undefined) return cached;
  const doc = openApiDocument({
    service: context.manifest.service,
    version: context.manifest.version,
    description: context.manifest.description,
    auth: context.auth !== undefined,
    apis: context.manifest.apis.map((api) => {
      const served = ready.apis.get(api.name) as ServedApi;
      return {
        name: api.name,
        model: api.model,
        description: api.description,
        batchable: served.batcher.batchable,
        inputs: served.model.signature.inputs,
        outputs: served.model.signature.outputs,
      };
    }),
  });
  cachedDocs.set(ready, doc);
  return doc;
}
