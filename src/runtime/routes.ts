/**
 * What each path does. Inference paths decode and check the body, queue it on the API's
 * batcher and encode the outputs; health, metrics and docs paths answer from memory, so they
 * stay fast while batches run on the inference threads.
 */
import type { IncomingMessage } from 'node:http';
import type { BentoManifest } from '../bento/manifest.js';
import type { Authenticator } from './auth.js';
import { decodeApiBody } from './decode-input.js';
import { decodeV2Body } from './decode-v2.js';
import { HttpError } from './http-errors.js';
import type { RuntimeMetrics } from './metrics.js';
import type { ServedRevision } from './served-revision.js';
import { openApiDocument } from './openapi.js';
import { checkJsonContentType, readJsonBody } from './read-body.js';
import type { InferenceService, ServedApi } from './service.js';
import type { RuntimeSettings } from './settings.js';
import { DTYPES, flatValues, nestedValues } from './tensor.js';

/** Mutable state shared by the routes: the service once loaded, and the draining flag. */
export interface RuntimeState {
  service: InferenceService | undefined;
  loadError: Error | undefined;
  /** Set when an inference thread died: liveness fails so the orchestrator restarts us. */
  crashed: Error | undefined;
  draining: boolean;
}

export interface RouteContext {
  readonly manifest: BentoManifest;
  readonly settings: RuntimeSettings;
  readonly metrics: RuntimeMetrics;
  readonly auth: Authenticator | undefined;
  readonly state: RuntimeState;
  readonly revision: ServedRevision;
}

export interface RouteResult {
  readonly status: number;
  readonly body: unknown;
  /** Set for text bodies (metrics); JSON otherwise. */
  readonly contentType?: string;
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
        return { status: 200, body: { status: 'ready', ...context.revision.fields } };
      });
    case '/metrics':
      return {
        label: path,
        methods: ['GET'],
        handle: async () => ({
          status: 200,
          body: await context.metrics.registry.metrics(),
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
          extensions: [],
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
        const body = await readBody(context, request);
        const { tensors, rows } = decodeApiBody(
          body.value,
          served.model.signature.inputs,
          body.bytes,
        );
        const result = await served.batcher.submit(tensors, rows);
        const out: Record<string, unknown> = {};
        for (const output of served.model.signature.outputs) {
          const tensor = result.outputs[output.name];
          if (tensor !== undefined) out[output.name] = nestedValues(tensor);
        }
        return { status: 200, body: out, rows, batchSizes: result.batchSizes };
      },
    };
  }
  return undefined;
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
        const body = await readBody(context, request);
        const { signature } = served.model;
        const decoded = decodeV2Body(body.value, signature.inputs, signature.outputs);
        const result = await served.batcher.submit(decoded.tensors, decoded.rows);
        const wanted = decoded.outputs ?? signature.outputs.map((output) => output.name);
        return {
          status: 200,
          rows: decoded.rows,
          batchSizes: result.batchSizes,
          body: {
            model_name: name,
            model_version: context.manifest.version,
            ...(decoded.id === undefined ? {} : { id: decoded.id }),
            outputs: wanted.flatMap((outputName) => {
              const tensor = result.outputs[outputName];
              if (tensor === undefined) return [];
              return [
                {
                  name: outputName,
                  datatype: DTYPES[tensor.dtype].v2,
                  shape: tensor.dims,
                  data: flatValues(tensor),
                },
              ];
            }),
          },
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

function servedApi(context: RouteContext, name: string): ServedApi {
  requireReady(context);
  return context.state.service?.apis.get(name) as ServedApi;
}

function requireReady(context: RouteContext): void {
  const { state } = context;
  if (state.draining) throw new HttpError('SHUTTING_DOWN', 'the server is shutting down', 1);
  if (state.crashed !== undefined)
    throw new HttpError('NOT_READY', `an inference thread crashed: ${state.crashed.message}`, 1);
  if (state.service === undefined) {
    const why =
      state.loadError === undefined
        ? 'the models are still loading'
        : `the models failed to load: ${state.loadError.message}`;
    throw new HttpError('NOT_READY', why, 1);
  }
}

async function readBody(context: RouteContext, request: IncomingMessage) {
  checkJsonContentType(request);
  return readJsonBody(request, {
    maxBytes: Math.floor(context.settings.maxBodyMb * 1024 * 1024),
    timeoutMs: context.settings.bodyTimeoutMs,
  });
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
