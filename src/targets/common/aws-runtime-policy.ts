/**
 * What the identity that starts the runtime container may do, on ECS (the task execution role)
 * and on EC2 (the instance role) alike: pull the image when it is in ECR, write to its log group,
 * read its secrets. Nothing else, so both targets grant exactly the same.
 */
import { ecrLocation, ecrRepositoryArn } from './aws-ecr.js';
import { ecrPullStatements, policyDocument } from './aws-iam.js';
import { secretReadStatements, type AwsSecret } from './aws-secrets.js';

export interface RuntimeStartInput {
  readonly imageRepository: string;
  readonly logGroupArn: string;
  readonly secrets: readonly AwsSecret[];
  /** Customer-managed keys of the secrets. @default - none (the AWS-managed key needs no grant) */
  readonly kmsKeyArns?: readonly string[];
}

export function runtimeStartPolicy(input: RuntimeStartInput): string {
  const imageLocation = ecrLocation(input.imageRepository);
  return policyDocument([
    ...(imageLocation !== undefined
      ? ecrPullStatements(ecrRepositoryArn(imageLocation, input.imageRepository))
      : []),
    {
      Sid: 'WriteLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [`${input.logGroupArn}:*`],
    },
    ...secretReadStatements(input.secrets),
    ...kmsDecryptStatements(input.secrets, input.kmsKeyArns ?? []),
  ]);
}

/**
 * Secrets Manager and SSM decrypt a secret under a customer key with the caller's own
 * `kms:Decrypt`: without it the task or boot script fails with AccessDenied. `kms:ViaService`
 * keeps the grant to decrypting through those two services, in the secrets' own regions.
 */
function kmsDecryptStatements(
  secrets: readonly AwsSecret[],
  keyArns: readonly string[],
): Record<string, unknown>[] {
  if (keyArns.length === 0 || secrets.length === 0) return [];
  const services = new Set<string>();
  for (const secret of secrets) {
    const region = secret.secretArn.split(':')[3] ?? '';
    const domain = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    services.add(`${secret.service}.${region}.${domain}`);
  }
  return [
    {
      Sid: 'DecryptSecrets',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: [...new Set(keyArns)].sort(),
      Condition: { StringEquals: { 'kms:ViaService': [...services].sort() } },
    },
  ];
}
