/**
 * The deployment's own ECR repository: tags are immutable (a tag always names the
 * same bento version), every push is scanned, and a lifecycle policy bounds storage.
 */
import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy/index.js';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository/index.js';
import { Op, type TerraformStack } from 'cdktf';
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

export interface EcrRepositoryProps {
  /** The deployment's name, which is its repository's name. */
  readonly deployment: string;
  /** The stack's region (spec.region). */
  readonly region: string;
  readonly image: ImageReference;
  /** The account the stack runs in (the caller identity), a token until apply. */
  readonly accountId: string;
}

/**
 * Adds the deployment's own repository, named after it. When the image is in it (`bentoctl
 * build --push` and `promote` create a missing one before pushing), the stack adopts it with an
 * import block instead of failing with "already exists"; once in state, the import is a no-op.
 * Only that repository is adopted: a repository named in image.repository that another
 * deployment owns (another name, region or account) is never imported, so destroying this
 * stack cannot take it away. The account is known only at plan time, so a precondition stops
 * the plan before a same-named repository of another account would be adopted.
 */
export function addEcrRepository(
  stack: TerraformStack,
  props: EcrRepositoryProps,
): InstanceType<typeof EcrRepository> {
  const { deployment: name } = props;
  const location = ecrLocation(props.image.repository);
  const own = location !== undefined && location.name === name && location.region === props.region;
  const repository = new EcrRepository(stack, 'ecr_repository', {
    name,
    imageTagMutability: 'IMMUTABLE',
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfiguration: [{ encryptionType: 'AES256' }],
    // Deleting a repository that still holds images is a decision, not a side effect of destroy.
    forceDelete: false,
    ...(own
      ? {
          lifecycle: {
            precondition: [
              {
                condition: Op.eq(props.accountId, location.accountId),
                errorMessage: `The image is in account ${location.accountId}'s ECR repository ${name}, but this stack runs in another AWS account: it would adopt that account's repository of the same name. Run bentoctl build --push (or promote) and apply with the credentials of one account.`,
              },
            ],
          },
        }
      : {}),
  });
  if (own) repository.importFrom(name);
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
