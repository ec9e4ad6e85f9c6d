/**
 * On AKS, Key Vault values reach the pods through Terraform (a data source and a Kubernetes
 * Secret; see key-vault-secrets.ts), so they are in the Terraform state in plain text. The Key
 * Vault CSI driver with workload identity would keep them out, but its SecretProviderClass is a
 * custom resource that Terraform can plan only against a running cluster, which this one-stack
 * deployment cannot guarantee. Until the cluster and the workload are separate stacks, bentoctl
 * says so wherever the state is least protected: a local file.
 */
import type { ResolvedConfig } from '../../config/resolved-config.js';
import { secretEnvVars } from '../common/secret-env-vars.js';

export function secretsInStateWarnings(config: ResolvedConfig): string[] {
  if (config.state.backend !== 'local') return [];
  const names = secretEnvVars(config).map((secret) => secret.name);
  if (config.spec.image_pull_secret !== undefined) names.push('spec.image_pull_secret');
  if (names.length === 0) return [];
  return [
    `the Key Vault values of ${names.join(', ')} are copied into the Terraform state, which is a local file (${config.state.path ?? 'terraform.tfstate'}) in plain text; use an azurerm state backend (private, encrypted) for a deployment with secrets`,
  ];
}
