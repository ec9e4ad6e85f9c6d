/**
 * Names of the Azure and Kubernetes resources an AKS deployment creates, derived from the
 * deployment name, each within its resource's rules.
 */
import { createHash } from 'node:crypto';
import type { AzureAksSpec } from './spec.js';

/** ACR names: 5-50 letters and digits, global across Azure (they are DNS names). */
export const ACR_NAME_MIN = 5;
export const ACR_NAME_MAX = 50;

export interface AksNames {
  readonly resourceGroup: string;
  readonly cluster: string;
  /** DNS prefix of the API server: 1-54 letters, digits and hyphens. */
  readonly dnsPrefix: string;
  readonly logAnalytics: string;
  readonly registry: string;
  /** Deployment, Service, HPA and PDB share the deployment name. */
  readonly workload: string;
  readonly secret: string;
}

export function aksNames(
  deployment: string,
  spec: Pick<AzureAksSpec, 'resource_group' | 'acr_name'>,
): AksNames {
  return {
    resourceGroup: spec.resource_group ?? `${deployment}-rg`,
    cluster: `${deployment}-aks`,
    dnsPrefix: deployment,
    logAnalytics: `${deployment}-logs`,
    registry: spec.acr_name ?? acrName(deployment),
    workload: deployment,
    secret: `${deployment}-secrets`,
  };
}

/**
 * `iris-prod` → `irisprodacr`. Hyphens are not allowed; a name too long is cut and ends in a
 * hash of the whole, a name too short is padded, so every deployment name gives a valid one.
 */
export function acrName(deployment: string): string {
  const name = `${deployment.replace(/[^a-zA-Z0-9]/g, '')}acr`.toLowerCase();
  if (name.length > ACR_NAME_MAX) {
    const hash = createHash('sha256').update(name).digest('hex').slice(0, 6);
    return `${name.slice(0, ACR_NAME_MAX - hash.length)}${hash}`;
  }
  return name.padEnd(ACR_NAME_MIN, '0');
}

/** `<registry>.azurecr.io/<deployment>`: where `build` pushes by default. */
export function defaultAksImageRepository(
  deployment: string,
  spec: Pick<AzureAksSpec, 'acr_name'>,
): string {
  return `${spec.acr_name?.toLowerCase() ?? acrName(deployment)}.azurecr.io/${deployment}`;
}
