/** The config's Key Vault secrets (`secrets:`, the bearer token), parsed, for both stacks. */
import type { ResolvedConfig } from '../../config/resolved-config.js';
import { errors } from '../../errors/index.js';
import { secretEnvVars } from '../common/secret-env-vars.js';
import type { KeyVaultEnv } from './key-vault-csi.js';
import {
  KEY_VAULT_REFERENCE_FORM,
  parseKeyVaultReference,
  type KeyVaultSecretReference,
} from './key-vault-reference.js';

export function keyVaultEnv(config: ResolvedConfig): KeyVaultEnv[] {
  return secretEnvVars(config).map(({ name, reference }) => ({
    name,
    reference: keyVaultReference(name, reference),
  }));
}

/** A reference validate accepted; anything else is a bug's way in, said as validate says it. */
export function keyVaultReference(name: string, reference: string): KeyVaultSecretReference {
  const parsed = parseKeyVaultReference(reference);
  if (parsed === undefined) {
    throw errors.secretReferenceInvalid(name, reference, KEY_VAULT_REFERENCE_FORM);
  }
  return parsed;
}
