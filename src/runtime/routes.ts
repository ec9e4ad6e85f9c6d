/**
 * What each path does, as a table of declared routes (route-pipeline.ts runs their guards in
 * one fixed order). Inference paths decode and check the body, queue it on the API's batcher
 * and encode the outputs; health, metrics and docs paths answer from memory, so they stay fast
 * while batches run on the inference threads.
 */
import type { IncomingMessage } from 'node:http';
import type { BentoManifest } from '../bento/manifest.js';
import { INFERENCE_HEADER, splitBinaryBody } from './binary-tensors.js';
import type { DecodedApiBody } from './decode-body.js';
import { decodeV2Body, type V2Request } from './decode-v2.js';
import { encodeV2Response } from './encode-v2.js';
import { HttpError } from './http-errors.js';
import { openApiDocument } from './openapi.js';
import {
  checkJsonContentType,
  DRAIN_LINGER_MS,
  parseJsonBody,
  readBodyBytes,
} from './read-body.js';
import {
  defineRoute,
  readyService,
  type Route,
  type RouteContext,
  type RouteDeclaration,
  type RouteResult,
} from './route-pipeline.js';
import type { InferenceService, ServedApi } from './service.js';
import { matchSwaggerRoute } from './swagger-page.js';
import { matchTaskRoute } from './tasks/task-routes.js';
import { DTYPES, nestedValues, type HostTensor } from './tensor.js';

export type { Route, RouteContext, RouteResult, RuntimeState } from './route-pipeline.js';

/** A route without guards (probes, metrics, the page) that answers from memory. */
const open = (
  context: RouteContext,
  label: string,
  methods: readonly string[],
  answer: () => RouteResult | Promise<RouteResult>,
): Route => defineRoute(context, { label, methods, auth: false, ready: false, handle: answer });

/**
 * The API routes already built, per server: matching is the same for a path on every request,
 * and `POST /<api>` is the hot path, so its route (closures and all) is built once. Only API
 * paths are kept, so the map is bounded by the bento's APIs whatever paths clients send.
 */
const apiRoutes = new WeakMap<RouteContext, Map<string, Route>>();

/** The route of `path`, its guards declared with it; undefined when no route has it. */
export function matchRoute(context: RouteContext, path: string): Route | undefined {
  const built = apiRoutes.get(context)?.get(path);
  if (built !== undefined) return built;
  const page = matchSwaggerRoute(path, {
    name: context.manifest.service,
    version: context.manifest.version,
  });
  if (page !== undefined) return open(context, page.label, page.methods, page.answer);
  const probe = ['GET', 'HEAD'];
  switch (path) {
    case '/healthz':
    case '/livez':
    case '/v2/health/live':
      return open(context, path, probe, () => {
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
      // Readiness is what this route reports, so it checks it in its answer, not as a guard.
      return open(context, path, probe, () => {
        const service = readyService(context);
        requireClusterReady(context);
        return {
          status: 200,
          body: {
            status: 'ready',
            ...context.revision.fields,
            // Which onnxruntime execution provider each model runs on (device_fallback: cpu
            // makes a gpu deployment serve on cpu; this says so).
            execution_providers: Object.fromEntries(
              [...service.models.values()].map((model) => [model.name, model.provider]),
            ),
          },
        };
      });
    case '/metrics':
      return open(context, path, ['GET'], async () => ({
        status: 200,
        body: await context.metrics.render(),
        contentType: context.metrics.registry.contentType,
      }));
    case '/docs.json':
      return defineRoute(context, {
        label: path,
        methods: probe,
        auth: false,
        ready: true,
        handle: ({ service }) => ({ status: 200, body: docs(context, service) }),
      });
    case '/v2':
      return open(context, path, probe, () => ({
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
  if (api === undefined) return matchTaskRoute(context, path);
  const route = apiRoute(context, api);
  let routes = apiRoutes.get(context);
  if (routes === undefined) {
    routes = new Map();
    apiRoutes.set(context, routes);
  }
  routes.set(path, route);
  return route;
}

/** `POST /<api>`: the body decoded and checked, queued on the API's batcher, the outputs. */
function apiRoute(context: RouteContext, api: BentoManifest['apis'][number]): Route {
  return defineRoute(context, {
    label: api.name,
    methods: ['POST'],
    auth: true,
    ready: true,
    body: (request, service) => readApiBody(context, request, service, api.name),
    handle: async ({ service, body: { tensors, rows } }) => {
      const served = service.api(api.name);
      const result = await served.batcher.submit(tensors, rows);
      const out = apiOutputBody(served, result.outputs);
      return { status: 200, body: out, rows, batchSizes: result.batchSizes };
    },
  } satisfies RouteDeclaration<true, DecodedApiBody>);
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
  const { manifest } = context;
  const methods = action === '/infer' ? ['POST'] : ['GET'];
  // An unknown model or version is 404 whoever asks: before the token is checked.
  if (!manifest.models.some((model) => model.name === name)) {
    return open(context, 'none', methods, () => {
      throw new HttpError(
        'MODEL_NOT_FOUND',
        `there is no model "${name.slice(0, 60)}"; models: ${manifest.models.map((m) => `"${m.name}"`).join(', ')}`,
      );
    });
  }
  const label = `v2:${name}`;
  if (version !== undefined && version !== manifest.version) {
    return open(context, label, methods, () => {
      throw new HttpError(
        'MODEL_NOT_FOUND',
        `model "${name}" has no version "${version.slice(0, 40)}"; it is ${manifest.version}`,
      );
    });
  }
  if (action === '/ready') {
    return defineRoute(context, {
      label,
      methods,
      auth: false,
      ready: true,
      handle: () => ({ status: 200, body: { name, ready: true } }),
    });
  }
  if (action === '/infer') {
    return defineRoute(context, {
      label,
      methods,
      auth: true,
      ready: true,
      body: (request, service) => readV2Body(context, request, service, name),
      handle: async ({ service, body: decoded }) => {
        const served = service.v2Api(name);
        const result = await served.batcher.submit(decoded.tensors, decoded.rows);
        const wanted =
          decoded.outputs ?? served.model.signature.outputs.map((output) => output.name);
        return {
          status: 200,
          rows: decoded.rows,
          batchSizes: result.batchSizes,
          ...encodeV2Response({
            modelName: name,
            modelVersion: manifest.version,
            id: decoded.id,
            outputs: wanted.flatMap((outputName) => {
              const tensor = result.outputs[outputName];
              return tensor === undefined ? [] : [{ name: outputName, tensor }];
            }),
            binaryOutputs: decoded.binaryOutputs,
          }),
        };
      },
    } satisfies RouteDeclaration<true, V2Request>);
  }
  return defineRoute(context, {
    label,
    methods,
    auth: true,
    ready: true,
    handle: ({ service }) => {
      const model = service.v2Api(name).model;
      const describe = (tensor: {
        name: string;
        dtype: keyof typeof DTYPES;
        dims: readonly (number | null)[];
      }) => ({
        name: tensor.name,
        datatype: DTYPES[tensor.dtype].v2,
        shape: tensor.dims.map((dim) => dim ?? -1),
      });
      return {
        status: 200,
        body: {
          name,
          versions: [manifest.version],
          platform: 'onnxruntime_onnx',
          inputs: model.signature.inputs.map(describe),
          outputs: model.signature.outputs.map(describe),
        },
      };
    },
  });
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
  service: InferenceService,
  api: string,
): Promise<DecodedApiBody> {
  checkJsonContentType(request);
  const bytes = await readBodyBytes(request, bodyLimits(context));
  const decoded = service.bodies.decodeApi(api, bytes);
  // A promise (the parse thread's) is awaited rather than returned: returned from an async
  // function it costs two more turns of the microtask queue; a value needs no await at all.
  return decoded instanceof Promise ? await decoded : decoded;
}

/** A v2 infer body: JSON, or a JSON header plus binary tensor data (any content type). */
async function readV2Body(
  context: RouteContext,
  request: IncomingMessage,
  service: InferenceService,
  model: string,
): Promise<V2Request> {
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
  const { signature } = service.v2Api(model).model;
  return decodeV2Body(parseJsonBody(json).value, signature.inputs, signature.outputs, binary);
}

const cachedDocs = new WeakMap<InferenceService, unknown>();

function docs(context: RouteContext, service: InferenceService): unknown {
  const cached = cachedDocs.get(service);
  if (cached !== undefined) return cached;
  const doc = openApiDocument({
    service: context.manifest.service,
    version: context.manifest.version,
    description: context.manifest.description,
    auth: context.auth !== undefined,
    apis: context.manifest.apis.map((api) => {
      const served = service.api(api.name);
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
  cachedDocs.set(service, doc);
  return doc;
}
