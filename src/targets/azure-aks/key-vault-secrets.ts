/**
 * How `secrets:` (and the bearer token secret) reach the pods on AKS: Terraform reads each Key
 * Vault secret with a data source and writes the values into one Kubernetes Secret, which the
 * container reads as environment variables.
 *
 * Chosen over the Key Vault CSI driver because that needs a SecretProviderClass custom resource,
 * which Terraform cannot plan before the cluster exists, plus a workload identity per vault.
 * The costs of this mapping, stated plainly:
 * - the secret values pass through Terraform state, so the state backend must be private and
 *   encrypted (the azurerm backend is);
 * - the identity running Terraform needs "Key Vault Secrets User" on each vault (or a "get"
 *   access policy on vaults that do not use Azure RBAC);
 * - a rotated secret reaches the pods at the next `bentoctl apply`, which restarts them through
 *   the `secret-versions` annotation.
 */
import { Fn } from 'cdktf';
import { DataAzurermKeyVaultSecret } from '@cdktf/provider-azurerm/lib/data-azurerm-key-vault-secret/index.js';
import { DataAzurermResources } from '@cdktf/provider-azurerm/lib/data-azurerm-resources/index.js';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1/index.js';
import type { Construct } from 'constructs';
import type { KeyVaultSecretReference } from './key-vault-reference.js';

export interface KeyVaultEnv {
  readonly name: string;
  readonly reference: KeyVaultSecretReference;
}

export interface RuntimeSecret {
  readonly secretName: string;
  /** Env var names the secret holds, one key each. */
  readonly keys: readonly string[];
  /** Changes whenever a secret version does; put on the pod template to roll the pods. */
  readonly versionsHash: string;
}

export function addKeyVaultSecrets(
  scope: Construct,
  props: {
    env: readonly KeyVaultEnv[];
    secretName: string;
    namespace: string;
    labels: Readonly<Record<string, string>>;
  },
): RuntimeSecret | undefined {
  if (props.env.length === 0) return undefined;
  const used = new Set<string>();
  const vaultIds = new Map<string, string>();
  const values: Record<string, string> = {};
  const versions: string[] = [];
  for (const { name, reference } of props.env) {
    const secret = new DataAzurermKeyVaultSecret(scope, uniqueId(`secret_${slug(name)}`, used), {
      name: reference.name,
      keyVaultId: reference.vaultId ?? vaultIdByName(scope, reference.vault, vaultIds, used),
      ...(reference.version !== undefined ? { version: reference.version } : {}),
    });
    values[name] = secret.value;
    versions.push(secret.version);
  }
  const secret = new SecretV1(scope, 'runtime_secret', {
    metadata: { name: props.secretName, namespace: props.namespace, labels: { ...props.labels } },
    type: 'Opaque',
    data: values,
  });
  return {
    // The resource's own name attribute, so pods referring to it wait for it.
    secretName: secret.metadata.name,
    keys: props.env.map((entry) => entry.name),
    versionsHash: Fn.sha256(Fn.join(',', versions)),
  };
}

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
