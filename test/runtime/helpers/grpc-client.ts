/** A grpc-js client of the runtime's `inference.GRPCInferenceService`, for tests. */
import * as grpc from '@grpc/grpc-js';
import { inferencePackage } from '../../../src/runtime/grpc/inference-proto.js';

export type InferenceClient = grpc.Client &
  Record<string, grpc.requestCallback<unknown> & ((...args: unknown[]) => unknown)>;

/** A plaintext client of the service at `address` (`host:port`). */
export function inferenceClient(address: string): InferenceClient {
  const Service = grpc.loadPackageDefinition(inferencePackage()).inference as grpc.GrpcObject;
  const Constructor = Service.GRPCInferenceService as grpc.ServiceClientConstructor;
  return new Constructor(address, grpc.credentials.createInsecure()) as unknown as InferenceClient;
}

/** Calls a unary method; resolves with the response, or the ServiceError. */
export function call(
  client: InferenceClient,
  method: string,
  request: unknown,
  metadata = new grpc.Metadata(),
): Promise<{ response?: Record<string, unknown>; error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    const invoke = client[method] as unknown as (
      request: unknown,
      metadata: grpc.Metadata,
      callback: (error: grpc.ServiceError | null, response?: Record<string, unknown>) => void,
    ) => void;
    invoke.call(client, request, metadata, (error, response) =>
      resolve(error ? { error } : { response }),
    );
  });
}
