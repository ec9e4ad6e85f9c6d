/**
 * Where Terraform keeps state. Local by default; the remote backends take the fields of
 * Terraform's own backend blocks, checked for the cloud's naming rules.
 */
import { z } from 'zod';

const s3Bucket = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    'must be an S3 bucket name: 3-63 lowercase letters, digits, dots or hyphens',
  );
const gcsBucket = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/,
    'must be a GCS bucket name: lowercase letters, digits, dots, hyphens or underscores',
  );
const stateKey = z.string().min(1).regex(/^[^/]/, 'must not start with /');

export const STATE_BACKENDS = ['local', 's3', 'gcs', 'azurerm'] as const;

export const stateSchema = z
  .discriminatedUnion('backend', [
    z.strictObject({
      backend: z.literal('local'),
      path: z
        .string()
        .min(1)
        .optional()
        .meta({ description: 'State file path. @default - terraform.tfstate in the stack folder' }),
    }),
    z.strictObject({
      backend: z.literal('s3'),
      bucket: s3Bucket.meta({ description: 'S3 bucket holding the state.' }),
      key: stateKey.optional().meta({
        description: 'Object key. @default - bentoctl/<target>/<region>/<name>/terraform.tfstate',
      }),
      region: z
        .string()
        .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region such as us-east-1'),
      dynamodb_table: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a DynamoDB table name')
        .optional()
        .meta({
          description: 'DynamoDB table for locking (older setups). @default - S3 lock file',
        }),
      use_lockfile: z
        .boolean()
        .default(true)
        .meta({ description: 'Lock with an S3 lock file (Terraform >= 1.10).' }),
      encrypt: z.boolean().default(true).meta({ description: 'Encrypt the state object.' }),
    }),
    z.strictObject({
      backend: z.literal('gcs'),
      bucket: gcsBucket.meta({ description: 'GCS bucket holding the state.' }),
      prefix: stateKey.optional().meta({
        description: 'Folder in the bucket. @default - bentoctl/<target>/<project>/<region>/<name>',
      }),
    }),
    z.strictObject({
      backend: z.literal('azurerm'),
      resource_group_name: z
        .string()
        .regex(/^[-\w.()]{1,89}[-\w()]$/, 'must be an Azure resource group name'),
      storage_account_name: z
        .string()
        .regex(/^[a-z0-9]{3,24}$/, 'must be 3-24 lowercase letters and digits'),
      container_name: z
        .string()
        .regex(
          /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/,
          'must be 3-63 lowercase letters, digits and single hyphens',
        ),
      key: stateKey
        .optional()
        .meta({ description: 'Blob name. @default - bentoctl/<target>/<location>/<name>.tfstate' }),
    }),
  ])
  .prefault({ backend: 'local' });

export type StateConfig = z.output<typeof stateSchema>;
