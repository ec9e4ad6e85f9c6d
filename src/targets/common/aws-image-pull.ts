/**
 * Which images an AWS deployment can pull: ECS tasks and EC2 instances authenticate to ECR (in
 * any account or region, with the role's pull permissions on the repository) and to ECR Public;
 * any other registry needs credentials, which bentoctl takes from a Secrets Manager secret
 * (`spec.image_pull_secret`). Without them the task or instance fails long after apply with a
 * pull error, so validate and generate refuse the image instead.
 */
import { ecrLocation } from './aws-ecr.js';

const ECR_PUBLIC = 'public.ecr.aws/';

/** Why the image cannot be pulled, with what to do, or undefined when it can. */
export function awsImagePullProblem(
  repository: string,
  pullSecret: string | undefined,
): string | undefined {
  if (ecrLocation(repository) !== undefined || repository.startsWith(ECR_PUBLIC)) return undefined;
  if (pullSecret !== undefined) return undefined;
  return `${registryHost(repository)} is not ECR, and AWS pulls from other registries only with credentials; set spec.image_pull_secret to a Secrets Manager secret with {"username", "password"} for it, or push to ECR (leave image.repository out)`;
}

/** The registry host of a repository (`docker.io` when the first part is not a host). */
export function registryHost(repository: string): string {
  const first = repository.split('/')[0] ?? '';
  const isHost = first.includes('.') || first.includes(':') || first === 'localhost';
  return isHost && repository.includes('/') ? first : 'docker.io';
}

/** Whether the image needs the pull secret (it is outside ECR and a secret is given). */
export function needsPullCredentials(repository: string, pullSecret: string | undefined): boolean {
  return (
    pullSecret !== undefined &&
    ecrLocation(repository) === undefined &&
    !repository.startsWith(ECR_PUBLIC)
  );
}
