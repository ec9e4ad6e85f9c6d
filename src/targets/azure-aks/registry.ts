/**
 * The container registry the image is pushed to, readable by the cluster's kubelet identity
 * (AcrPull) and nothing else: no admin user, no anonymous pulls.
 */
import { ContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry/index.js';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment/index.js';
import type { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster/index.js';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group/index.js';
import type { Construct } from 'constructs';
import { ACR_SKU } from './registry-settings.js';

export interface AksRegistry {
  readonly registry: InstanceType<typeof ContainerRegistry>;
  readonly acrPull: InstanceType<typeof RoleAssignment>;
}

export function addAksRegistry(
  scope: Construct,
  props: {
    name: string;
    resourceGroup: ResourceGroup;
    cluster: KubernetesCluster;
    tags: Readonly<Record<string, string>>;
  },
): AksRegistry {
  const registry = new ContainerRegistry(scope, 'container_registry', {
    name: props.name,
    location: props.resourceGroup.location,
    resourceGroupName: props.resourceGroup.name,
    sku: ACR_SKU,
    adminEnabled: false,
    anonymousPullEnabled: false,
    tags: { ...props.tags },
  });
  const acrPull = new RoleAssignment(scope, 'acr_pull', {
    scope: registry.id,
    roleDefinitionName: 'AcrPull',
    principalId: props.cluster.kubeletIdentity.objectId,
    principalType: 'ServicePrincipal',
    // The kubelet identity is brand new; skipping the Entra ID lookup avoids failing on its
    // replication delay.
    skipServicePrincipalAadCheck: true,
  });
  return { registry, acrPull };
}
