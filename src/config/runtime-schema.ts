/** The runtime knobs, the same on every target; they become the container's environment. */
import { z } from 'zod';

export const DEVICES = ['cpu', 'gpu'] as const;
/** What `device: gpu` does without a CUDA execution provider: fail readiness, or serve on CPU. */
export const DEVICE_FALLBACKS = ['none', 'cpu'] as const;
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export const AUTH_MODES = ['none', 'bearer'] as const;

export const batchingSchema = z
  .strictObject({
    enabled: z.boolean().default(true).meta({ description: 'Batch requests per API.' }),
    max_batch_size: z
      .number()
      .int()
      .min(1)
      .max(4096)
      .default(32)
      .meta({ description: 'Most rows in one inference call.' }),
    max_latency_ms: z
      .number()
      .int()
      .min(1)
      .max(60000)
      .default(10)
      .meta({ description: 'Latency budget a request may spend waiting for its batch, in ms.' }),
  })
  .prefault({});

export const authSchema = z
  .strictObject({
    mode: z
      .enum(AUTH_MODES)
      .default('none')
      .meta({ description: 'none, or bearer: requests need `Authorization: Bearer <token>`.' }),
    token_env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
      .default('BENTOCTL_AUTH_TOKEN')
      .meta({ description: 'Environment variable the runtime reads the token from.' }),
    secret: z.string().min(1).optional().meta({
      description:
        'Cloud secret holding the token (Secrets Manager ARN, Secret Manager name or Key Vault secret id). Required for bearer.',
    }),
  })
  .prefault({});

/** The runtime's default gRPC port (`BENTOCTL_GRPC_PORT`): the HTTP port's default plus one. */
export const DEFAULT_GRPC_PORT = 3001;

export const grpcSchema = z
  .strictObject({
    enabled: z.boolean().default(false).meta({
      description:
        'Also serve the Open Inference Protocol over gRPC (inference.GRPCInferenceService), on its own port; the target exposes it (`bentoctl targets show <target>` says how).',
    }),
    port: z
      .number()
      .int()
      .min(1024)
      .max(65535)
      .default(DEFAULT_GRPC_PORT)
      .meta({ description: 'Port the gRPC service listens on (unprivileged, not runtime.port).' }),
  })
  .prefault({});

export const runtimeSchema = z
  .strictObject({
    port: z
      .number()
      .int()
      .min(1024)
      .max(65535)
      .default(3000)
      .meta({ description: 'Port the server listens on (unprivileged: 1024-65535).' }),
    workers: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(1)
      .meta({ description: 'Server processes per instance.' }),
    intra_op_threads: z.number().int().min(0).max(256).default(0).meta({
      description:
        'ONNX Runtime intra-op threads per inference; 0 = the cores left after the server processes, shared among them (at least 1).',
    }),
    device: z.enum(DEVICES).default('cpu').meta({
      description:
        'cpu, or gpu for the CUDA execution provider and a CUDA base image. @default - cpu; gpu on aws-ec2-gpu',
    }),
    device_fallback: z.enum(DEVICE_FALLBACKS).default('none').meta({
      description:
        'With device gpu, what to do when the CUDA execution provider cannot load (no GPU, driver or CUDA libraries): none fails readiness (the instance never serves), cpu serves on CPU and reports it (log, /readyz, the bentoctl_execution_provider metric).',
    }),
    max_body_mb: z
      .number()
      .positive()
      .max(1024)
      .default(4)
      .meta({ description: 'Largest request body accepted, in MB.' }),
    log_level: z.enum(LOG_LEVELS).default('info').meta({ description: 'Server log level.' }),
    batching: batchingSchema,
    auth: authSchema,
    grpc: grpcSchema,
  })
  .prefault({});

export type RuntimeConfig = z.output<typeof runtimeSchema>;
