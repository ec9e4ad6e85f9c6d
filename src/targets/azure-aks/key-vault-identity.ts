/**
 * The cluster stack's half of Key Vault secrets through the Secrets Store CSI driver: a
 * user-assigned identity for the workload, federated with the cluster's OIDC issuer for the
 * workload's Kubernetes service account (workload identity), and "Key Vault Secrets User" on
 * each vault the config reads from. The pods' CSI volume signs in as that identity and reads
 * the values at mount time; Terraform never reads them (key-vault-csi.ts has the pod side).
 */
import { DataAzurermResources } from '@cdktf/provider-azurerm/lib/data-azurerm-resources/index.js';
import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential/index.js';
import type { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster/index.js';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group/index.js';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment/index.js';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity/index.js';
import type { Construct } from 'constructs';
import type { KeyVaultSecretReference } from './key-vault-reference.js';

/** The audience AKS workload identity tokens are issued for. */
export const WORKLOAD_IDENTITY_AUDIENCE = 'api://AzureADTokenExchange';
/** The role that reads secret values (data plane), on each vault. */
export const KEY_VAULT_SECRETS_USER = 'Key Vault Secrets User';

export interface WorkloadIdentity {
  readonly clientId: string;
  readonly tenantId: string;
}

export function addKeyVaultIdentity(
  scope: Construct,
  props: {
    readonly name: string;
    readonly resourceGroup: ResourceGroup;
    readonly cluster: KubernetesCluster;
    /** `system:serviceaccount:<namespace>:<service account>` of the pods. */
    readonly subject: string;
    readonly references: readonly KeyVaultSecretReference[];
    readonly tags: Readonly<Record<string, string>>;
  },
): WorkloadIdentity {
  const identity = new UserAssignedIdentity(scope, 'workload_identity', {
    name: props.name,
    location: props.resourceGroup.location,
    resourceGroupName: props.resourceGroup.name,
    tags: { ...props.tags },
  });
  new FederatedIdentityCredential(scope, 'workload_identity_federation', {
    name: props.name,
    resourceGroupName: props.resourceGroup.name,
    parentId: identity.id,
    audience: [WORKLOAD_IDENTITY_AUDIENCE],
    issuer: props.cluster.oidcIssuerUrl,
    subject: props.subject,
  });
  const vaults = new Map<string, KeyVaultSecretReference>();
  for (const reference of props.references) {
    if (!vaults.has(reference.vault)) vaults.set(reference.vault, reference);
  }
  for (const [vault, reference] of [...vaults].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const slug = vault.replace(/[^a-z0-9]+/g, '_');
    // A secret id URL names only the vault; its ARM id is found by name, subscription-wide.
    const vaultId =
      reference.vaultId ??
      new DataAzurermResources(scope, `key_vault_${slug}`, {
        type: 'Microsoft.KeyVault/vaults',
        name: vault,
      }).resources.get(0).id;
    new RoleAssignment(scope, `key_vault_secrets_user_${slug}`, {
      scope: vaultId,
      roleDefinitionName: KEY_VAULT_SECRETS_USER,
      principalId: identity.principalId,
      principalType: 'ServicePrincipal',
      // The identity is brand new; skipping the Entra ID lookup avoids its replication delay.
      skipServicePrincipalAadCheck: true,
    });
  }
  return { clientId: identity.clientId, tenantId: identity.tenantId };
}
