/**
 * How `secrets:` (and the bearer token secret) reach the pods on AKS: the Key Vault provider of
 * the Secrets Store CSI driver (the cluster's `key_vault_secrets_provider` add-on) mounts them
 * into each pod, signed in as the workload's identity (key-vault-identity.ts), and syncs them
 * into a Kubernetes Secret per vault that the container reads as environment variables. The
 * values are read by the driver on the node, never by Terraform, so they are not in its state.
 *
 * One SecretProviderClass per vault (the class names one vault). It is a custom resource, so it
 * is a `kubernetes_manifest`, which Terraform plans against the running API server: the
 * workload stack is planned only after the cluster stack (which installs the driver) applied.
 * Costs, stated plainly:
 * - whoever applies needs role-assignment rights on each vault (the identity gets "Key Vault
 *   Secrets User" there), and the vaults must use Azure RBAC, not access policies;
 * - the synced Secret exists only while a pod mounts the volume;
 * - the driver refreshes the mounted files every two minutes, but environment variables are
 *   read at container start: a rotated value reaches the runtime when the pods restart (the
 *   next apply that changes the references, or `kubectl rollout restart`).
 */
import { createHash } from 'node:crypto';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest/index.js';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1/index.js';
import type { Construct } from 'constructs';
import { stringify } from 'yaml';
import type { KeyVaultSecretReference } from './key-vault-reference.js';

/** The CSI driver the add-on installs. */
export const SECRETS_STORE_DRIVER = 'secrets-store.csi.k8s.io';
/** Where each vault's secrets are mounted as files (read-only), `<dir>/<vault>/<ENV_NAME>`. */
export const SECRETS_MOUNT_DIR = '/mnt/secrets-store';
/** Pods with this label get the workload identity token the driver signs in with. */
export const WORKLOAD_IDENTITY_LABEL = 'azure.workload.identity/use';

export interface KeyVaultEnv {
  readonly name: string;
  readonly reference: KeyVaultSecretReference;
}

/** A CSI volume of one vault's secrets. */
export interface SecretVolume {
  readonly name: string;
  readonly secretProviderClass: string;
  readonly mountPath: string;
}

export interface RuntimeSecret {
  /** Each secret environment variable and the synced Kubernetes Secret holding it. */
  readonly env: readonly { readonly name: string; readonly secretName: string }[];
  /** Changes whenever a reference does; put on the pod template to roll the pods. */
  readonly versionsHash: string;
  readonly volumes: readonly SecretVolume[];
  /** The pods' service account, federated with the workload identity. */
  readonly serviceAccountName: string;
}

export function addKeyVaultCsiSecrets(
  scope: Construct,
  props: {
    readonly env: readonly KeyVaultEnv[];
    /** Prefix of the SecretProviderClass and synced Secret names: `<prefix>-<vault>`. */
    readonly secretName: string;
    readonly serviceAccountName: string;
    readonly namespace: string;
    readonly clientId: string;
    readonly tenantId: string;
    readonly labels: Readonly<Record<string, string>>;
  },
): RuntimeSecret | undefined {
  if (props.env.length === 0) return undefined;
  const account = new ServiceAccountV1(scope, 'service_account', {
    metadata: {
      name: props.serviceAccountName,
      namespace: props.namespace,
      labels: { ...props.labels },
      annotations: { 'azure.workload.identity/client-id': props.clientId },
    },
    // The runtime never calls the Kubernetes API; the driver asks for its own token.
    automountServiceAccountToken: false,
  });
  const byVault = new Map<string, KeyVaultEnv[]>();
  for (const entry of props.env) {
    byVault.set(entry.reference.vault, [...(byVault.get(entry.reference.vault) ?? []), entry]);
  }
  const env: { name: string; secretName: string }[] = [];
  const volumes: SecretVolume[] = [];
  for (const [vault, entries] of [...byVault].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const name = `${props.secretName}-${vault}`;
    const slug = vault.replace(/[^a-z0-9]+/g, '_');
    new Manifest(scope, `secret_provider_class_${slug}`, {
      manifest: {
        apiVersion: 'secrets-store.csi.x-k8s.io/v1',
        kind: 'SecretProviderClass',
        metadata: { name, namespace: props.namespace, labels: { ...props.labels } },
        spec: {
          provider: 'azure',
          parameters: {
            usePodIdentity: 'false',
            clientID: props.clientId,
            keyvaultName: vault,
            tenantId: props.tenantId,
            // The provider takes its object list as YAML text; the alias is the variable name,
            // so two variables may read one secret.
            objects: stringify({
              array: entries.map((entry) =>
                stringify({
                  objectName: entry.reference.name,
                  objectAlias: entry.name,
                  objectType: 'secret',
                  ...(entry.reference.version === undefined
                    ? {}
                    : { objectVersion: entry.reference.version }),
                }),
              ),
            }),
          },
          secretObjects: [
            {
              secretName: name,
              type: 'Opaque',
              data: entries.map((entry) => ({ objectName: entry.name, key: entry.name })),
            },
          ],
        },
      },
    });
    for (const entry of entries) env.push({ name: entry.name, secretName: name });
    volumes.push({
      name: `secrets-${vault}`,
      secretProviderClass: name,
      mountPath: `${SECRETS_MOUNT_DIR}/${vault}`,
    });
  }
  const references = props.env.map(
    (entry) =>
      `${entry.name}=${entry.reference.vault}/${entry.reference.name}/${entry.reference.version ?? ''}`,
  );
  return {
    env,
    versionsHash: createHash('sha256').update(references.join(',')).digest('hex'),
    volumes,
    serviceAccountName: account.metadata.name,
  };
}
