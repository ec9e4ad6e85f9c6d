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
  ]);
}
