/**
 * The deployment config schema: the single source of the TypeScript types, the validation and
 * the exported JSON Schema (`schemas/deployment_config.schema.json`). `spec` is checked here
 * only as a mapping; each target validates it with its own schema.
 */
import { z } from 'zod';
import { TARGET_NAMES } from '../targets/names.js';
import { releaseSchema } from './release-schema.js';
import { runtimeSchema } from './runtime-schema.js';
import { stateSchema } from './state-schema.js';

/** DNS label, short enough that derived names (`<name>-alb`, `<name>-tg`) fit cloud limits. */
export const DEPLOYMENT_NAME_PATTERN = /^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/;

const envName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'must be a valid environment variable name (letters, digits, _)',
  )
  .refine((name) => !name.startsWith('BENTOCTL_') && name !== 'PORT', {
    message: 'is reserved: the runtime sets PORT and BENTOCTL_* itself (use the runtime: section)',
  });

/** Env values are strings in every cloud; numbers and booleans are written as YAML allows. */
const envValue = z.union([z.string(), z.number(), z.boolean()]).transform((value) => String(value));

export const imageSchema = z
  .strictObject({
    repository: z
      .string()
      .regex(
        /^[a-z0-9]+([._\-/:][a-z0-9]+)*$/,
        'must be a registry repository such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/iris',
      )
      .optional()
      .meta({
        description:
          "Repository to push to. @default - the target's registry, named after the deployment",
      }),
    base_image: z.string().min(1).optional().meta({
      description:
        'Base image. @default - node:24-bookworm-slim, or a CUDA base (with node 24) for device: gpu',
    }),
    platform: z.literal('linux/amd64').default('linux/amd64').meta({
      description: 'Image platform; ONNX Runtime native libraries are bundled for linux/amd64.',
    }),
  })
  .prefault({});

export const deploymentConfigSchema = z.strictObject({
  api_version: z.literal('v1').meta({ description: 'Config format version; only v1 exists.' }),
  name: z
    .string()
    .regex(
      DEPLOYMENT_NAME_PATTERN,
      'must be 1-40 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen',
    )
    .meta({ description: 'Deployment name: becomes resource names and the stack name.' }),
  bento: z.string().min(1).meta({
    description: 'A bento folder, a bento archive, or name:version from the local store.',
  }),
  target: z.enum(TARGET_NAMES).meta({ description: 'Where the bento runs.' }),
  spec: z
    .record(z.string(), z.unknown())
    .default({})
    .meta({ description: "The target's own fields; `bentoctl targets show <target>` lists them." }),
  runtime: runtimeSchema.meta({
    description: 'Inference server settings, the same on every target.',
  }),
  image: imageSchema.meta({ description: 'Image overrides.' }),
  release: releaseSchema.meta({
    description:
      'How a new revision takes traffic: rolling, canary or blue-green. @default - rolling',
  }),
  state: stateSchema.meta({ description: 'Terraform state backend. @default - local' }),
  env: z
    .record(envName, envValue)
    .default({})
    .meta({ description: 'Extra environment variables for the container.' }),
  secrets: z.record(envName, z.string().min(1)).default({}).meta({
    description:
      'Environment variables filled from the cloud secret store: name -> secret ARN, Secret Manager id or Key Vault secret id.',
  }),
});

/** What a user may write (defaults not applied). */
export type DeploymentConfigInput = z.input<typeof deploymentConfigSchema>;
/** The config after validation, with every default applied. */
export type DeploymentConfigData = z.output<typeof deploymentConfigSchema>;
