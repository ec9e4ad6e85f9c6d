import { z } from 'zod';
import { AWS_REGIONS } from '../clouds/aws-regions.js';
import { acmCertificateArn, awsNetworkFields } from '../common/aws-network-fields.js';
import { LOG_RETENTION_DAYS } from '../common/aws-log-retention.js';
import {
  imagePullSecretField,
  secretsKmsKeyArnsField,
  startupGraceSecondsField,
} from '../common/aws-runtime-fields.js';
import {
  allowedCidrsField,
  instanceBounds,
  publicField,
  tagsField,
} from '../common/spec-fields.js';

/** Fargate task CPU sizes, in CPU units (1024 = 1 vCPU). */
export const FARGATE_CPU_UNITS = [256, 512, 1024, 2048, 4096, 8192, 16384] as const;

export { LOG_RETENTION_DAYS };

export const awsEcsSpecSchema = z.strictObject({
  region: z.enum(AWS_REGIONS).default('us-east-1').meta({ description: 'AWS region.' }),
  cpu: z
    .literal(FARGATE_CPU_UNITS)
    .default(1024)
    .meta({ description: 'Task CPU in CPU units (1024 = 1 vCPU).' }),
  memory: z
    .number()
    .int()
    .min(512)
    .max(122880)
    .default(2048)
    .meta({ description: 'Task memory in MiB; must be a valid Fargate pair with cpu.' }),
  // Target tracking has no data to act on at zero tasks, so a service at 0 would never scale
  // back up: 0 is refused until a wake-up on request count exists.
  ...instanceBounds({
    min: 1,
    max: 4,
    floor: 1,
    ceiling: 1000,
    floorReason:
      'At least 1: at 0 tasks autoscaling has no CPU or request data and would never start one again.',
  }),
  scaling_metric: z
    .enum(['cpu', 'requests'])
    .default('cpu')
    .meta({ description: 'What autoscaling tracks: CPU utilisation or ALB requests per task.' }),
  scaling_target: z.number().positive().optional().meta({
    description: 'Target value of scaling_metric. @default 60 (% CPU) or 100 (requests per task)',
  }),
  ...awsNetworkFields,
  public: publicField,
  allowed_cidrs: allowedCidrsField,
  certificate_arn: acmCertificateArn
    .optional()
    .meta({ description: 'ACM certificate for an HTTPS listener. @default - HTTP only' }),
  startup_grace_seconds: startupGraceSecondsField(60, 'task'),
  secrets_kms_key_arns: secretsKmsKeyArnsField,
  image_pull_secret: imagePullSecretField,
  log_retention_days: z
    .literal(LOG_RETENTION_DAYS)
    .default(30)
    .meta({ description: 'CloudWatch log retention in days.' }),
  container_insights: z
    .boolean()
    .default(true)
    .meta({ description: 'Enable ECS Container Insights on the cluster.' }),
  tags: tagsField,
});

export type AwsEcsSpec = z.output<typeof awsEcsSpecSchema>;
