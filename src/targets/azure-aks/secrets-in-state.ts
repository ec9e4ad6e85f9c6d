/**
 * On AKS, `secrets:` and the bearer token reach the pods through the Key Vault CSI driver and
 * never enter the Terraform state (key-vault-csi.ts). The one exception is
 * `spec.image_pull_secret`, which the kubelet needs before any volume exists, so Terraform reads
 * it and writes it into a Kubernetes Secret (key-vault-secrets.ts): in the state in plain text.
 * bentoctl says so wherever the state is least protected: a local file.
 */
import type { ResolvedConfig } from '../../config/resolved-config.js';

export function secretsInStateWarnings(config: ResolvedConfig): string[] {
  if (config.state.backend !== 'local') return [];
  if (config.spec.image_pull_secret === undefined) return [];
  return [
    `the Key Vault value of spec.image_pull_secret is copied into the Terraform state, which is a local file (${config.state.path ?? 'terraform.tfstate'}) in plain text; use an azurerm state backend (private, encrypted) for a deployment with an image pull secret`,
  ];
}
