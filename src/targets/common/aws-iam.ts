/** IAM names and documents shared by the AWS targets, documents as sorted one-line JSON. */
import { stableJsonLine } from '../stable-json.js';
import { fitName } from './naming.js';

/** IAM role names: at most 64 characters (instance profiles allow more). */
const MAX_ROLE_NAME = 64;

/**
 * IAM is global to the account while a deployment lives in one region: the region is part of
 * every role and instance profile name, so one deployment name in two regions does not collide.
 */
export function iamName(deployment: string, region: string, role: string): string {
  return fitName(`${deployment}-${region}-${role}`, MAX_ROLE_NAME);
}

/**
 * A trust policy for an AWS service. `sourceAccount`, for services that send it (ECS tasks do,
 * EC2 instance profiles do not), guards against the confused-deputy problem: the service may
 * assume the role only on behalf of this account.
 */
export function assumeRolePolicy(service: string, sourceAccount?: string): string {
  return stableJsonLine({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sts:AssumeRole',
        ...(sourceAccount !== undefined
          ? { Condition: { StringEquals: { 'aws:SourceAccount': sourceAccount } } }
          : {}),
      },
    ],
  });
}

export function policyDocument(statements: readonly Record<string, unknown>[]): string {
  return stableJsonLine({ Version: '2012-10-17', Statement: statements });
}

/**
 * Pulling an image from ECR: a registry token (an account-wide action that takes no resource)
 * and the layer reads on the one repository the image is in.
 */
export function ecrPullStatements(repositoryArn: string): Record<string, unknown>[] {
  return [
    { Sid: 'EcrToken', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' },
    {
      Sid: 'EcrPull',
      Effect: 'Allow',
      Action: [
        'ecr:BatchCheckLayerAvailability',
        'ecr:BatchGetImage',
        'ecr:GetDownloadUrlForLayer',
      ],
      Resource: [repositoryArn],
    },
  ];
}
