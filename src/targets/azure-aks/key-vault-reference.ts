/**
 * Key Vault secret references as a config writes them, in either form Azure shows:
 * - the secret id URL: `https://<vault>.vault.azure.net/secrets/<name>[/<version>]`
 * - the ARM resource id: `/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.KeyVault/vaults/<vault>/secrets/<name>`
 */

export interface KeyVaultSecretReference {
  readonly vault: string;
  /** ARM id of the vault when the reference carried it; otherwise looked up by vault name. */
  readonly vaultId?: string;
  readonly name: string;
  /** A 32-hex version; absent means the current version at apply time. */
  readonly version?: string;
}

const VAULT = '([a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9])';
const SECRET = '([a-zA-Z0-9-]{1,127})';
const VERSION = '([0-9a-fA-F]{32})';
const URL_FORM = new RegExp(
  `^https://${VAULT}\\.vault\\.(?:azure\\.net|azure\\.cn|usgovcloudapi\\.net)/secrets/${SECRET}(?:/${VERSION})?/?$`,
);
const ARM_FORM = new RegExp(
  `^(/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[-\\w.()]{1,90}/providers/Microsoft\\.KeyVault/vaults/${VAULT})/secrets/${SECRET}$`,
  'i',
);

export const KEY_VAULT_REFERENCE_FORM =
  'a Key Vault secret id (https://<vault>.vault.azure.net/secrets/<name>[/<version>]) or its ARM resource id';

export function parseKeyVaultReference(text: string): KeyVaultSecretReference | undefined {
  const url = URL_FORM.exec(text);
  if (url) {
    const [, vault = '', name = '', version] = url;
    return { vault: vault.toLowerCase(), name, ...(version !== undefined ? { version } : {}) };
  }
  const arm = ARM_FORM.exec(text);
  if (arm) {
    const [, vaultId = '', vault = '', name = ''] = arm;
    return { vault: vault.toLowerCase(), vaultId, name };
  }
  return undefined;
}
