import { z } from 'zod';
import { GCP_REGIONS } from '../clouds/gcp-regions.js';
import { instanceBounds, tagsField } from '../common/spec-fields.js';

export const CLOUD_RUN_INGRESS = ['all', 'internal', 'internal-and-cloud-load-balancing'] as const;

export const cloudRunSpecSchema = z.strictObject({
  project: z
    .string()
    .regex(
      /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
      'must be a Google Cloud project id: 6-30 lowercase letters, digits or hyphens, starting with a letter',
    )
    .meta({ description: 'Google Cloud project id (required).' }),
  region: z.enum(GCP_REGIONS).default('us-central1').meta({ description: 'Cloud Run region.' }),
  cpu: z.number().min(0.08).max(8).default(1).meta({
    description:
      'vCPUs per instance: 0.08-1 in fractions, or 1, 2, 4, 6 or 8. Below 1 the service runs in the first generation execution environment (the only one that takes fractional CPU; at least 1 CPU runs in the second).',
  }),
  memory: z
    .number()
    .int()
    .min(128)
    .max(32768)
    .default(2048)
    .meta({ description: 'Memory per instance in MiB (128-32768).' }),
  ...instanceBounds({ min: 0, max: 4, floor: 0, ceiling: 1000 }),
  concurrency: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(80)
    .meta({ description: 'Most requests one instance handles at once.' }),
  timeout_seconds: z
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(300)
    .meta({ description: 'Request timeout in seconds.' }),
  public: z.boolean().default(false).meta({
    description:
      'Let anyone on the internet call the service: grant roles/run.invoker to allUsers (or, with invoker_iam_disabled, skip the check). Private by default.',
  }),
  invoker_iam_disabled: z.boolean().default(false).meta({
    description:
      'With public: true, turn off the invoker IAM check instead of granting allUsers, which an organization policy restricting domains (iam.allowedPolicyMemberDomains) refuses.',
  }),
  invokers: z
    .array(
      z
        .string()
        .regex(
          /^(user|group|serviceAccount|domain|principal|principalSet):\S+$/,
          'must be an IAM member such as user:ana@example.com, group:ml@example.com, serviceAccount:<email> or domain:example.com',
        ),
    )
    .default([])
    .meta({
      description:
        'IAM members granted roles/run.invoker on the service (user:, group:, serviceAccount:, domain:), for a private service with known callers.',
    }),
  ingress: z
    .enum(CLOUD_RUN_INGRESS)
    .default('all')
    .meta({ description: 'Where requests may come from at the network level.' }),
  startup_delay_seconds: z.number().int().min(0).max(240).default(0).meta({
    description:
      'Seconds before the startup probe first checks /readyz. The probe itself allows 240 s (the Cloud Run ceiling); a model that loads longer needs this delay on top, up to 480 s in all. Every cold start waits at least this long.',
  }),
  gpu: z
    .strictObject({
      type: z.literal('nvidia-l4').default('nvidia-l4').meta({ description: 'GPU model.' }),
      count: z.literal(1).default(1).meta({ description: 'GPUs per instance.' }),
      zonal_redundancy: z.boolean().default(false).meta({
        description:
          'Reserve GPU capacity in other zones for failover (needs its own GPU quota and costs more).',
      }),
    })
    .optional()
    .meta({ description: 'Attach a GPU to each instance. @default - no GPU' }),
  service_account_email: z
    .email()
    .optional()
    .meta({ description: 'Run as this service account. @default - a dedicated one is created' }),
  deletion_protection: z.boolean().default(false).meta({
    description:
      'Make Terraform refuse to delete the service; set it back to false before `bentoctl destroy`.',
  }),
  labels: tagsField.meta({
    description:
      'Extra labels on every resource: lowercase keys and values (letters, digits, _ and -), up to 63 characters.',
  }),
});

export type CloudRunSpec = z.output<typeof cloudRunSpecSchema>;
