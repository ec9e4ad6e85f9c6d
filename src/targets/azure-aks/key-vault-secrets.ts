/**
 * The pods' image pull secret for a registry other than ACR: Terraform reads the Key Vault
 * secret with a data source and writes it into a `kubernetes.io/dockerconfigjson` Secret. Not
 * through the CSI driver (key-vault-csi.ts) as the other secrets are: the kubelet needs the pull
 * secret before any container (or CSI volume of it) of the pod exists. So this one value passes
 * through the Terraform state, and `generate` and `plan` warn when the state is a local file
 * (secrets-in-state.ts); the identity running Terraform needs "Key Vault Secrets User" on its
 * vault (or a "get" access policy on vaults that do not use Azure RBAC).
 */
import { DataAzurermKeyVaultSecret } from '@cdktf/provider-azurerm/lib/data-azurerm-key-vault-secret/index.js';
import { DataAzurermResources } from '@cdktf/provider-azurerm/lib/data-azurerm-resources/index.js';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1/index.js';
import type { Construct } from 'constructs';
import type { KeyVaultSecretReference } from './key-vault-reference.js';

/** A secret id URL names only the vault; its ARM id is found once per vault, subscription-wide. */
function vaultIdByName(
  scope: Construct,
  vault: string,
  known: Map<string, string>,
  used: Set<string>,
): string {
  const existing = known.get(vault);
  if (existing !== undefined) return existing;
  const lookup = new DataAzurermResources(scope, uniqueId(`key_vault_${slug(vault)}`, used), {
    type: 'Microsoft.KeyVault/vaults',
    name: vault,
  });
  const id = lookup.resources.get(0).id;
  known.set(vault, id);
  return id;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

function uniqueId(base: string, used: Set<string>): string {
  let id = base;
  for (let n = 2; used.has(id); n += 1) id = `${base}_${n}`;
  used.add(id);
  return id;
}

/**
 * The pods' `imagePullSecrets` for a registry other than ACR: a Key Vault secret holding a
 * Docker config JSON becomes a `kubernetes.io/dockerconfigjson` secret (through state, as the
 * environment secrets above).
 */
export function addImagePullSecret(
  scope: Construct,
  props: {
    reference: KeyVaultSecretReference;
    secretName: string;
    namespace: string;
    labels: Readonly<Record<string, string>>;
  },
): string {
  const used = new Set<string>(['image_pull_secret_value']);
  const value = new DataAzurermKeyVaultSecret(scope, 'image_pull_secret_value', {
    name: props.reference.name,
    keyVaultId:
      props.reference.vaultId ?? vaultIdByName(scope, props.reference.vault, new Map(), used),
    ...(props.reference.version !== undefined ? { version: props.reference.version } : {}),
  });
  const secret = new SecretV1(scope, 'image_pull_secret', {
    metadata: { name: props.secretName, namespace: props.namespace, labels: { ...props.labels } },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': value.value },
  });
  return secret.metadata.name;
}
