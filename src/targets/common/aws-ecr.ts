/**
 * The ECR repository a deployment's image lives in: tags are immutable (a tag always names the
 * same bento version), every push is scanned, and a lifecycle policy bounds storage.
 */
import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy/index.js';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository/index.js';
import type { TerraformStack } from 'cdktf';
import type { ImageReference } from '../synthesizer.js';
import { stableJsonLine } from '../stable-json.js';

/** Images kept in the repository; older ones expire (roll back further by rebuilding). */
export const ECR_IMAGES_KEPT = 30;
/** Untagged layers left by interrupted pushes expire after this many days. */
const UNTAGGED_EXPIRY_DAYS = 7;

const ECR_HOST = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** The account, region and name of an image in ECR, or undefined for another registry. */
export interface EcrLocation {
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
}

export function ecrLocation(repository: string): EcrLocation | undefined {
  const slash = repository.indexOf('/');
  if (slash < 0) return undefined;
  const match = ECR_HOST.exec(repository.slice(0, slash));
  if (match === null) return undefined;
  return { accountId: match[1] ?? '', region: match[2] ?? '', name: repository.slice(slash + 1) };
}

/** The repository the stack manages: the image's own when it is in ECR, else the deployment's. */
export function ecrRepositoryName(image: ImageReference, deployment: string): string {
  return ecrLocation(image.repository)?.name ?? deployment;
}

/**
 * Adds the repository. When the image already lives in it (`bentoctl build --push` creates a
 * missing ECR repository before pushing), the stack adopts it with an import block instead of
 * failing with "already exists"; once in state, the import is a no-op.
 */
export function addEcrRepository(
  stack: TerraformStack,
  name: string,
  image: ImageReference,
  /** Whether destroy deletes the repository with its images (see the caller). */
  forceDelete = false,
): InstanceType<typeof EcrRepository> {
  const repository = new EcrRepository(stack, 'ecr_repository', {
    name,
    imageTagMutability: 'IMMUTABLE',
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfiguration: [{ encryptionType: 'AES256' }],
    forceDelete,
  });
  if (ecrLocation(image.repository)?.name === name) repository.importFrom(name);
  new EcrLifecyclePolicy(stack, 'ecr_lifecycle_policy', {
    repository: repository.name,
    policy: stableJsonLine({
      rules: [
        {
          rulePriority: 1,
          description: `Expire untagged images after ${UNTAGGED_EXPIRY_DAYS} days`,
          selection: {
            tagStatus: 'untagged',
            countType: 'sinceImagePushed',
            countUnit: 'days',
            countNumber: UNTAGGED_EXPIRY_DAYS,
          },
          action: { type: 'expire' },
        },
        {
          rulePriority: 2,
          description: `Keep the last ${ECR_IMAGES_KEPT} images`,
          selection: {
            tagStatus: 'any',
            countType: 'imageCountMoreThan',
            countNumber: ECR_IMAGES_KEPT,
          },
          action: { type: 'expire' },
        },
      ],
    }),
  });
  return repository;
}

/** The ARN of an ECR repository, from its location (partition from the region and host). */
export function ecrRepositoryArn(location: EcrLocation, repository: string): string {
  const partition = repository.includes('.amazonaws.com.cn/')
    ? 'aws-cn'
    : location.region.startsWith('us-gov-')
      ? 'aws-us-gov'
      : 'aws';
  return `arn:${partition}:ecr:${location.region}:${location.accountId}:repository/${location.name}`;
}
