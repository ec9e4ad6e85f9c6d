/** Spec fields of the AWS targets about starting the runtime: its secrets' keys and its time to load. */
import { z } from 'zod';

/** A KMS key ARN (IAM grants on keys by key ARN; an alias ARN would grant nothing). */
const kmsKeyArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/,
    'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias',
  );

export const secretsKmsKeyArnsField = z.array(kmsKeyArn).default([]).meta({
  description:
    'Customer-managed KMS keys that encrypt the secrets; the role that reads the secrets may decrypt with them, through Secrets Manager and SSM only. Secrets under the AWS-managed key need none.',
});

/** Time a new task or instance has to load its models before failed health checks count. */
export function startupGraceSecondsField(defaultSeconds: number, what: string) {
  return z
    .number()
    .int()
    .min(0)
    .max(7200)
    .default(defaultSeconds)
    .meta({
      description: `Seconds a new ${what} has to pull the image and load its models before failed /readyz checks count against it; raise it for large models.`,
    });
}

/**
 * A Secrets Manager secret holding `{"username": ..., "password": ...}` for a private registry
 * outside ECR: ECS reads it as `repositoryCredentials`, the EC2 boot script logs in with it.
 */
export const imagePullSecretField = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/,
    'must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)',
  )
  .optional()
  .meta({
    description:
      'Secrets Manager secret with {"username", "password"} of the registry the image is in, when that is not ECR. @default - none: the image must be in ECR',
  });
