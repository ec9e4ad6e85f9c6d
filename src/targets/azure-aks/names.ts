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
  /** Data collection rule of Container Insights: 1-64 characters. */
  readonly dataCollectionRule: string;
  readonly registry: string;
  /** Deployment, Service, HPA and PDB share the deployment name. */
  readonly workload: string;
  /** Prefix of each vault's SecretProviderClass and synced Secret. */
  readonly secret: string;
  readonly imagePullSecret: string;
  /** The pods' service account and the identity federated with it (Key Vault secrets). */
  readonly serviceAccount: string;
  readonly workloadIdentity: string;
}

/** What the default registry name depends on besides the deployment name. */
export type AcrNameSpec = Pick<AzureAksSpec, 'resource_group' | 'acr_name' | 'subscription_id'>;

export function aksNames(deployment: string, spec: AcrNameSpec): AksNames {
  const resourceGroup = spec.resource_group ?? `${deployment}-rg`;
  return {
    resourceGroup,
    cluster: `${deployment}-aks`,
    dnsPrefix: deployment,
    logAnalytics: `${deployment}-logs`,
    dataCollectionRule: `${deployment}-container-insights`,
    registry: spec.acr_name ?? acrName(deployment, acrNameSalt(spec, resourceGroup)),
    workload: deployment,
    secret: `${deployment}-secrets`,
    imagePullSecret: `${deployment}-image-pull`,
    serviceAccount: deployment,
    workloadIdentity: `${deployment}-workload`,
  };
}

/**
 * `<workload>-candidate`: the candidate's Deployment, Service and autoscaler during a canary or
 * blue-green release (release-routing.ts); here, away from cdktf, so `status` and `logs` name it
 * too.
 */
export function candidateName(workload: string): string {
  return `${workload}-candidate`;
}

/** Hex digits of the hash that end a default registry name. */
export const ACR_SUFFIX_LENGTH = 8;

/**
 * `iris-prod` → `irisprod` + 8 hex digits. ACR names are DNS names shared by every Azure
 * customer, so `irisprodacr` is likely taken by someone else; the suffix is a hash of where the
 * registry lives (subscription when the spec names it, resource group, deployment), so it is
 * the same on every run and every machine, and differs between deployments. Hyphens are not
 * allowed; a long name is cut before the suffix.
 */
export function acrName(deployment: string, salt = ''): string {
  const base = deployment.replace(/[^a-zA-Z0-9]/g, '').toLowerCase();
  const hash = createHash('sha256')
    .update(`${salt}/${deployment}`)
    .digest('hex')
    .slice(0, ACR_SUFFIX_LENGTH);
  return `${base.slice(0, ACR_NAME_MAX - ACR_SUFFIX_LENGTH)}${hash}`;
}

function acrNameSalt(spec: AcrNameSpec, resourceGroup: string): string {
  return `${spec.subscription_id?.toLowerCase() ?? ''}/${resourceGroup.toLowerCase()}`;
}

/** `<registry>.azurecr.io/<deployment>`: where `build` pushes by default. */
export function defaultAksImageRepository(deployment: string, spec: AcrNameSpec): string {
  return `${aksNames(deployment, spec).registry.toLowerCase()}.azurecr.io/${deployment}`;
}
