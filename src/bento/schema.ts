/**
 * The `bento.yaml` schema: the single source of the bento's types and validation, shared by
 * `bentoctl bento build` (which adds file:line diagnostics) and the runtime (which fails fast).
 */
import { z } from 'zod';

/** Element types a bento's tensors may have over JSON (what onnxruntime-node calls them). */
export const TENSOR_DTYPES = [
  'float32',
  'float64',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'bool',
] as const;
export type TensorDtype = (typeof TENSOR_DTYPES)[number];

/** Lower-case identifier also usable in a URL path and a store reference (`name:version`). */
const identifier = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    'must be 1-63 characters: lower-case letters, digits, "_" or "-", starting with a letter or digit',
  );

/** Overrides of one input or output read from the model; omitted parts come from the model. */
export const tensorOverrideSchema = z.strictObject({
  dtype: z.enum(TENSOR_DTYPES).optional().meta({ description: 'Element type.' }),
  shape: z
    .array(z.number().int().min(-1))
    .max(8)
    .optional()
    .meta({ description: 'Dimensions; -1 for a dynamic one (the first is the batch).' }),
});

export const modelSchema = z.strictObject({
  name: identifier.meta({ description: 'Model name, used by apis and /v2/models/<name>.' }),
  path: z.string().min(1).meta({ description: 'The .onnx file, relative to bento.yaml.' }),
  inputs: z
    .record(z.string(), tensorOverrideSchema)
    .optional()
    .meta({ description: 'Per input name: dtype/shape overriding what the model declares.' }),
  outputs: z
    .record(z.string(), tensorOverrideSchema)
    .optional()
    .meta({ description: 'Per output name: dtype/shape overriding what the model declares.' }),
});

export const apiSchema = z.strictObject({
  name: identifier.meta({ description: 'API name: served at POST /<name>.' }),
  model: identifier.meta({ description: 'Name of the model in `models` this API runs.' }),
  batchable: z.boolean().default(true).meta({
    description: 'Batch requests to this API together (needs a dynamic first dimension).',
  }),
  max_batch_size: z
    .number()
    .int()
    .min(1)
    .max(4096)
    .optional()
    .meta({ description: 'Overrides runtime.batching.max_batch_size for this API.' }),
  max_latency_ms: z
    .number()
    .int()
    .min(1)
    .max(60000)
    .optional()
    .meta({ description: 'Overrides runtime.batching.max_latency_ms for this API.' }),
  description: z.string().optional().meta({ description: 'Shown in the OpenAPI document.' }),
});

export const bentoSchema = z.strictObject({
  service: identifier.meta({ description: 'Service name: the bento name in the store and image.' }),
  description: z.string().optional(),
  models: z.array(modelSchema).min(1).meta({ description: 'ONNX models of the bento.' }),
  apis: z.array(apiSchema).min(1).meta({ description: 'HTTP APIs, each running one model.' }),
});

export type BentoSpec = z.output<typeof bentoSchema>;
export type ModelSpec = z.output<typeof modelSchema>;
export type ApiSpec = z.output<typeof apiSchema>;
export type TensorOverride = z.output<typeof tensorOverrideSchema>;

/** Paths the runtime serves itself; an API with one of these names would be unreachable. */
export const RESERVED_API_NAMES = ['healthz', 'livez', 'readyz', 'metrics', 'docs', 'v2'] as const;
