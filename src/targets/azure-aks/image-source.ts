/**
 * Which images an AKS deployment can pull. The kubelet pulls from Azure Container Registry with
 * its managed identity (AcrPull on the deployment's own registry; on another registry the grant
 * is yours to give). Any other registry needs pull credentials: `spec.image_pull_secret`, a Key
 * Vault secret holding a Docker config JSON, which becomes the pods' `imagePullSecrets`.
 */

/** ACR login servers in the public, China and US Government clouds. */
const ACR_HOST = /^[a-z0-9]{5,50}\.azurecr\.(?:io|cn|us)$/;

/** Why AKS could not pull images from `repository`, or undefined when it can. */
export function aksImagePullProblem(
  repository: string,
  spec: { readonly image_pull_secret?: string | undefined },
): string | undefined {
  if (spec.image_pull_secret !== undefined) return undefined;
  const host = repository.split('/')[0] ?? '';
  if (repository.includes('/') && ACR_HOST.test(host)) return undefined;
  return `the cluster pulls with its kubelet identity from Azure Container Registry (<registry>.azurecr.io) only, not from ${repository.includes('/') ? host : 'Docker Hub'}; push to ACR (leave image.repository out to use the deployment's own), or set spec.image_pull_secret to a Key Vault secret holding a Docker config JSON for that registry`;
}
