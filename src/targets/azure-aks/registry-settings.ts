/**
 * What the stack's container registry is, shared with `build --push`, which creates a missing
 * registry before the first push (src/builders/registry-auth/acr-registry.ts) so that the stack
 * can adopt it. No cdktf here: the builder imports this module.
 */

/** The registry SKU the stack declares; a registry `build --push` creates gets the same. */
export const ACR_SKU = 'Standard';

/** ARM id of a resource group, as azurerm imports it. */
export function resourceGroupId(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
}

/** ARM id of a container registry, as azurerm imports it. */
export function containerRegistryId(
  subscriptionId: string,
  resourceGroup: string,
  registry: string,
): string {
  return `${resourceGroupId(subscriptionId, resourceGroup)}/providers/Microsoft.ContainerRegistry/registries/${registry}`;
}
