/** The OpenAPI 3 document of a running bento (`GET /docs.json`), generated from its signatures. */
import type { TensorSpec } from '../bento/signature.js';
import { HTTP_ERROR_CATALOGUE } from './http-errors.js';
import { exampleInput } from './openapi-example.js';
import { TASK_SCHEMA, taskPaths } from './tasks/task-openapi.js';
import { DTYPES } from './tensor.js';

export interface OpenApiInput {
  readonly service: string;
  readonly version: string;
  readonly description: string | undefined;
  readonly auth: boolean;
  readonly apis: readonly {
    readonly name: string;
    readonly model: string;
    readonly description: string | undefined;
    readonly batchable: boolean;
    readonly inputs: readonly TensorSpec[];
    readonly outputs: readonly TensorSpec[];
  }[];
}

type Schema = Record<string, unknown>;

export function openApiDocument(input: OpenApiInput): Schema {
  const error = { $ref: '#/components/schemas/Error' };
  const errorResponse = (description: string) => ({
    description,
    content: { 'application/json': { schema: error } },
  });
  // The Open Inference Protocol routes answer the protocol's own error body.
  const v2ErrorResponse = (description: string) => ({
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/V2Error' } } },
  });
  const security = input.auth ? [{ bearer: [] }] : undefined;
  const paths: Record<string, Schema> = {};
  for (const api of input.apis) {
    const single = api.inputs.length === 1 ? api.inputs[0] : undefined;
    const object = {
      type: 'object',
      additionalProperties: false,
      required: api.inputs.map((tensor) => tensor.name),
      properties: Object.fromEntries(
        api.inputs.map((tensor) => [tensor.name, tensorSchema(tensor)]),
      ),
    };
    const requestSchema = single ? { oneOf: [object, tensorSchema(single)] } : object;
    const resultSchema = {
      type: 'object',
      required: api.outputs.map((tensor) => tensor.name),
      properties: Object.fromEntries(
        api.outputs.map((tensor) => [tensor.name, tensorSchema(tensor)]),
      ),
    };
    const example = exampleInput(api.inputs);
    paths[`/${api.name}`] = {
      post: {
        operationId: api.name,
        tags: [api.name],
        summary: api.description ?? `Run model ${api.model}`,
        description: `Rows go along the first dimension; one request may carry many rows.${api.batchable ? ' Requests are batched adaptively.' : ''}`,
        ...(security ? { security } : {}),
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: requestSchema,
              ...(example === undefined ? {} : { example }),
            },
          },
        },
        responses: {
          200: {
            description: 'The model outputs, one entry per output name.',
            content: { 'application/json': { schema: resultSchema } },
          },
          400: errorResponse('The input does not match the model (see `code`).'),
          ...(input.auth ? { 401: errorResponse('Missing or wrong bearer token.') } : {}),
          413: errorResponse('The body or the row count is over the limit.'),
          415: errorResponse('The body is not JSON.'),
          503: errorResponse('Not ready, draining or overloaded; see Retry-After.'),
        },
      },
    };
    Object.assign(
      paths,
      taskPaths({ api: api.name, requestSchema, resultSchema, example, security, errorResponse }),
    );
  }
  const plain = (summary: string, respond = errorResponse) => ({
    get: { summary, responses: { 200: { description: 'OK' }, 503: respond('Not ready.') } },
  });
  paths['/healthz'] = plain('The process is up.');
  paths['/livez'] = plain('The process is up.');
  paths['/readyz'] = plain('Models are loaded and warmed up, and the server is not draining.');
  paths['/metrics'] = {
    get: {
      summary: 'Prometheus metrics.',
      responses: { 200: { description: 'text/plain exposition format' } },
    },
  };
  paths['/v2'] = plain('Open Inference Protocol server metadata.', v2ErrorResponse);
  paths['/v2/health/live'] = plain('Open Inference Protocol liveness.', v2ErrorResponse);
  paths['/v2/health/ready'] = plain('Open Inference Protocol readiness.', v2ErrorResponse);
  const modelParam = { name: 'model', in: 'path', required: true, schema: { type: 'string' } };
  paths['/v2/models/{model}'] = {
    get: {
      summary: 'Model metadata.',
      parameters: [modelParam],
      ...(security ? { security } : {}),
      responses: {
        200: { description: 'name, platform, inputs, outputs' },
        404: v2ErrorResponse('No such model.'),
      },
    },
  };
  paths['/v2/models/{model}/ready'] = {
    get: {
      summary: 'Model readiness.',
      parameters: [modelParam],
      responses: {
        200: { description: 'ready' },
        404: v2ErrorResponse('No such model.'),
        503: v2ErrorResponse('Not ready.'),
      },
    },
  };
  paths['/v2/models/{model}/infer'] = {
    post: {
      summary: 'Open Inference Protocol inference.',
      parameters: [modelParam],
      ...(security ? { security } : {}),
      requestBody: {
        required: true,
        content: {
          'application/json': { schema: { $ref: '#/components/schemas/V2InferRequest' } },
          'application/octet-stream': {
            schema: { type: 'string', format: 'binary' },
            description:
              'The binary tensor data extension: the JSON request (Inference-Header-Content-Length bytes), then the raw tensor bytes.',
          },
        },
      },
      responses: {
        200: {
          description: '{model_name, model_version, outputs: [{name, shape, datatype, data}]}',
        },
        400: v2ErrorResponse('Bad input.'),
        404: v2ErrorResponse('No such model.'),
        503: v2ErrorResponse('Overloaded.'),
      },
    },
  };
  return {
    openapi: '3.0.3',
    info: {
      title: input.service,
      version: input.version,
      ...(input.description ? { description: input.description } : {}),
    },
    paths,
    components: {
      ...(input.auth ? { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } : {}),
      schemas: {
        Task: TASK_SCHEMA,
        Error: {
          type: 'object',
          required: ['statusCode', 'code', 'error', 'message'],
          properties: {
            statusCode: { type: 'integer' },
            code: { type: 'string', enum: Object.keys(HTTP_ERROR_CATALOGUE) },
            error: { type: 'string' },
            message: { type: 'string' },
            requestId: { type: 'string' },
          },
        },
        V2Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: { type: 'string', description: 'What was wrong.' },
            code: { type: 'string', enum: Object.keys(HTTP_ERROR_CATALOGUE) },
          },
        },
        V2InferRequest: {
          type: 'object',
          required: ['inputs'],
          properties: {
            id: { type: 'string' },
            inputs: {
              type: 'array',
              items: {
                type: 'object',
                required: ['name', 'shape', 'datatype', 'data'],
                properties: {
                  name: { type: 'string' },
                  shape: { type: 'array', items: { type: 'integer', minimum: 0 } },
                  datatype: {
                    type: 'string',
                    enum: [...new Set(Object.values(DTYPES).map((info) => info.v2))],
                  },
                  data: { type: 'array' },
                },
              },
            },
            outputs: {
              type: 'array',
              items: {
                type: 'object',
                required: ['name'],
                properties: { name: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  };
}

/** Nested arrays down to the element type, with sizes where the dims are fixed. */
function tensorSchema(tensor: TensorSpec): Schema {
  const info = DTYPES[tensor.dtype];
  let schema: Schema =
    info.kind === 'bool'
      ? { type: 'boolean' }
      : info.kind === 'float'
        ? { type: 'number', format: tensor.dtype === 'float32' ? 'float' : 'double' }
        : { type: 'integer', format: tensor.dtype, minimum: info.min, maximum: info.max };
  for (let index = tensor.dims.length - 1; index >= 0; index -= 1) {
    const dim = tensor.dims[index];
    schema = {
      type: 'array',
      items: schema,
      minItems: dim ?? 1,
      ...(dim === null || dim === undefined ? {} : { maxItems: dim }),
    };
  }
  return { ...schema, description: `${tensor.dtype} ${formatShape(tensor.dims)}` };
}

function formatShape(dims: readonly (number | null)[]): string {
  return `[${dims.map((dim) => (dim === null ? '-1' : String(dim))).join(', ')}]`;
}
