import { z } from 'zod';
import { AWS_REGIONS } from '../clouds/aws-regions.js';
import { acmCertificateArn, awsNetworkFields } from '../common/aws-network-fields.js';
import { LOG_RETENTION_DAYS } from '../common/aws-log-retention.js';
import {
  imagePullSecretField,
  secretsKmsKeyArnsField,
  startupGraceSecondsField,
} from '../common/aws-runtime-fields.js';
import { cidrSchema } from '../common/cidr.js';
import {
  allowedCidrsField,
  instanceBounds,
  publicField,
  tagsField,
} from '../common/spec-fields.js';

export const awsEc2GpuSpecSchema = z.strictObject({
  region: z.enum(AWS_REGIONS).default('us-east-1').meta({ description: 'AWS region.' }),
  instance_type: z
    .string()
    .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'must look like g5.xlarge')
    .default('g5.xlarge')
    .meta({
      description: 'NVIDIA GPU instance type (g4dn, g5, g6, g6e, gr6, p3, p4d, p5 families).',
    }),
  ami_id: z
    .string()
    .regex(/^ami-[0-9a-f]{8,17}$/, 'must look like ami-0abc1234')
    .optional()
    .meta({ description: 'AMI to boot. @default - the AWS Deep Learning Base GPU AMI from SSM' }),
  ...instanceBounds({ min: 1, max: 1, floor: 1, ceiling: 100 }),
  scaling_target: z.number().positive().default(100).meta({
    description:
      'Load balancer requests per instance per minute that autoscaling tracks (max_instances > 1).',
  }),
  root_volume_gib: z
    .number()
    .int()
    .min(30)
    .max(16384)
    .default(100)
    .meta({ description: 'Encrypted root volume size in GiB (the DLAMI needs at least 30).' }),
  key_name: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'EC2 key pair for SSH; SSH opens only when ssh_cidr is set too.' }),
  ssh_cidr: cidrSchema
    .optional()
    .meta({ description: 'CIDR allowed to SSH in; needs key_name. @default - no SSH (use SSM)' }),
  ...awsNetworkFields,
  public: publicField,
  allowed_cidrs: allowedCidrsField,
  certificate_arn: acmCertificateArn
    .optional()
    .meta({ description: 'ACM certificate for HTTPS on the load balancer (max_instances > 1).' }),
  startup_grace_seconds: startupGraceSecondsField(
    900,
    'instance of the Auto Scaling group (max_instances > 1)',
  ),
  secrets_kms_key_arns: secretsKmsKeyArnsField,
  image_pull_secret: imagePullSecretField,
  log_retention_days: z
    .literal(LOG_RETENTION_DAYS)
    .default(30)
    .meta({ description: 'CloudWatch log retention in days for the container logs.' }),
  tags: tagsField,
});

export type AwsEc2GpuSpec = z.output<typeof awsEc2GpuSpecSchema>;
