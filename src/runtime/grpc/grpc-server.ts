/**
 * The Open Inference Protocol v2 over gRPC (`inference.GRPCInferenceService`), on its own port
 * beside the HTTP server: the same models, batchers, readiness and bearer token (metadata
 * `authorization: Bearer <token>`) as the REST routes, and the same checks on tensors, since a
 * ModelInfer request is decoded as the equivalent REST request. Runtime errors map onto gRPC
 * status codes; the runtime's own code rides in the `bentoctl-error-code` trailer.
 */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { Counter } from 'prom-client';
import { decodeV2Body } from '../decode-v2.js';
import { HttpError } from '../http-errors.js';
import type { Logger } from '../logger.js';
import { readyService, type RouteContext } from '../route-pipeline.js';
import type { ServedApi } from '../service.js';
import { DTYPES } from '../tensor.js';
import { grpcOutput, grpcToV2, type GrpcInferRequest } from './grpc-tensors.js';
import { inferencePackage } from './inference-proto.js';

export interface GrpcServer {
  readonly port: number;
  /** Stops intake and resolves once the calls in progress have answered. */
  shutdown(): Promise<void>;
  /** Cancels the calls still in progress (the grace period ran out). */
  forceShutdown(): void;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** HTTP status of a runtime error -> the gRPC status the protocol's clients expect. */
function grpcStatus(error: HttpError): grpc.status {
  switch (error.statusCode) {
    case 400:
    case 413:
      return error.code === 'TOO_MANY_ROWS' || error.code === 'BODY_TOO_LARGE'
        ? grpc.status.RESOURCE_EXHAUSTED
        : grpc.status.INVALID_ARGUMENT;
    case 401:
      return grpc.status.UNAUTHENTICATED;
    case 404:
      return grpc.status.NOT_FOUND;
    case 429:
      return grpc.status.RESOURCE_EXHAUSTED;
    case 503:
      return grpc.status.UNAVAILABLE;
    default:
      return grpc.status.INTERNAL;
  }
}

export async function startGrpcServer(
  context: RouteContext,
  logger: Logger,
  options: { readonly host: string; readonly port: number },
): Promise<GrpcServer> {
  const { manifest, state } = context;
  const calls = new Counter({
    name: 'bentoctl_grpc_requests_total',
    help: 'gRPC calls answered, by method and gRPC status code.',
    labelNames: ['method', 'code'],
    registers: [context.metrics.registry],
  });
  const authenticate = (metadata: grpc.Metadata): void => {
    const value = metadata.get('authorization')[0];
    context.auth?.(typeof value === 'string' ? value : undefined);
  };
  const model = (name: string, version: string): ServedApi => {
    if (!manifest.models.some((entry) => entry.name === name)) {
      throw new HttpError(
        'MODEL_NOT_FOUND',
        `there is no model "${name.slice(0, 60)}"; models: ${manifest.models.map((m) => `"${m.name}"`).join(', ')}`,
      );
    }
    if (version !== '' && version !== manifest.version) {
      throw new HttpError(
        'MODEL_NOT_FOUND',
        `model "${name}" has no version "${version.slice(0, 40)}"; it is ${manifest.version}`,
      );
    }
    return readyService(context).v2Api(name);
  };
  const ready = (): boolean => {
    try {
      readyService(context);
      return true;
    } catch {
      return false;
    }
  };
  const describe = (tensor: {
    name: string;
    dtype: keyof typeof DTYPES;
    dims: readonly (number | null)[];
  }) => ({
    name: tensor.name,
    datatype: DTYPES[tensor.dtype].v2,
    shape: tensor.dims.map((dim) => String(dim ?? -1)),
  });

  const unary =
    <Request, Response>(
      method: string,
      handler: (request: Request, metadata: grpc.Metadata) => Response | Promise<Response>,
    ): grpc.handleUnaryCall<Request, Response> =>
    (call, callback) => {
      const started = performance.now();
      const incoming = call.metadata.get('x-request-id')[0];
      const requestId =
        typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      const headers = new grpc.Metadata();
      headers.set('x-request-id', requestId);
      call.sendMetadata(headers);
      Promise.resolve()
        .then(() => handler(call.request, call.metadata))
        .then(
          (response) => {
            callback(null, response);
            finish(undefined);
          },
          (error: unknown) => {
            const failure =
              error instanceof HttpError
                ? error
                : new HttpError('INTERNAL', 'unexpected failure; see the server log');
            if (!(error instanceof HttpError)) {
              logger.log('error', 'unhandled error in a gRPC call', {
                requestId,
                method,
                error: error instanceof Error ? (error.stack ?? error.message) : String(error),
              });
            }
            const trailers = new grpc.Metadata();
            trailers.set('bentoctl-error-code', failure.code);
            callback({ code: grpcStatus(failure), details: failure.message, metadata: trailers });
            finish(failure);
          },
        );
      const finish = (failure: HttpError | undefined): void => {
        const code = failure === undefined ? grpc.status.OK : grpcStatus(failure);
        calls.inc({ method, code: grpc.status[code] });
        const status = failure?.statusCode ?? 200;
        const level = status >= 500 && status !== 503 ? 'error' : status >= 400 ? 'warn' : 'debug';
        if (!logger.enabled(level)) return;
        logger.log(level, 'grpc', {
          requestId,
          method,
          grpcStatus: grpc.status[code],
          ...(failure === undefined ? {} : { code: failure.code, error: failure.message }),
          latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
        });
      };
    };

  const implementation: grpc.UntypedServiceImplementation = {
    ServerLive: unary('ServerLive', () => ({ live: state.crashed === undefined })),
    ServerReady: unary('ServerReady', () => ({ ready: ready() })),
    ModelReady: unary('ModelReady', (request: { name: string; version: string }) => {
      model(request.name, request.version);
      return { ready: true };
    }),
    ServerMetadata: unary('ServerMetadata', () => ({
      name: manifest.service,
      version: manifest.version,
      extensions: [],
    })),
    ModelMetadata: unary(
      'ModelMetadata',
      (request: { name: string; version: string }, metadata: grpc.Metadata) => {
        authenticate(metadata);
        const served = model(request.name, request.version);
        const { signature } = served.model;
        return {
          name: request.name,
          versions: [manifest.version],
          platform: 'onnxruntime_onnx',
          inputs: signature.inputs.map(describe),
          outputs: signature.outputs.map(describe),
        };
      },
    ),
    ModelInfer: unary('ModelInfer', async (request: GrpcInferRequest, metadata: grpc.Metadata) => {
      authenticate(metadata);
      const served = model(request.model_name, request.model_version);
      const { signature } = served.model;
      const { body, binary } = grpcToV2(request);
      const decoded = decodeV2Body(body, signature.inputs, signature.outputs, binary);
      const result = await served.batcher.submit(decoded.tensors, decoded.rows);
      const wanted = decoded.outputs ?? signature.outputs.map((output) => output.name);
      // Raw bytes back when the client sent raw bytes (what Triton's clients do by default).
      const raw = request.raw_input_contents.length > 0;
      const outputs = wanted.flatMap((name) => {
        const tensor = result.outputs[name];
        return tensor === undefined ? [] : [grpcOutput(name, tensor, raw)];
      });
      return {
        model_name: request.model_name,
        model_version: manifest.version,
        id: request.id,
        outputs: outputs.map((entry) => entry.output),
        raw_output_contents: outputs.flatMap((entry) =>
          entry.raw === undefined ? [] : [entry.raw],
        ),
      };
    }),
  };

  const server = new grpc.Server({
    'grpc.max_receive_message_length': Math.floor(context.settings.maxBodyMb * 1024 * 1024),
  });
  const definition = inferencePackage()['inference.GRPCInferenceService'] as grpc.ServiceDefinition;
  server.addService(definition, implementation);
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `${host}:${options.port}`,
      grpc.ServerCredentials.createInsecure(),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    );
  });
  return {
    port,
    shutdown: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
      }),
    forceShutdown: () => server.forceShutdown(),
  };
}
