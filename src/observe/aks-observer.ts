/** azure-aks: the cluster's Kubernetes API, reached with a kubeconfig from ARM. */
import {
  AZURE_MANAGEMENT_SCOPE,
  createAzureTokenSource,
  type AzureTokenSource,
  type FetchLike,
} from '../builders/registry-auth/acr.js';
import { AZURE_SUBSCRIPTION_ENV } from '../builders/registry-auth/acr-registry.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { errors } from '../errors/index.js';
import { aksNames } from '../targets/azure-aks/names.js';
import { aksKubeAccess, type KubeAccess } from './aks-credentials.js';
import { aksLogSource, aksStatus, type AksWorkload } from './aks-workload.js';
import type { CloudObserver } from './observer.js';

export interface AzureDependencies {
  readonly tokens?: () => Promise<AzureTokenSource>;
  readonly fetch?: FetchLike;
  readonly env?: NodeJS.ProcessEnv;
}

export function aksObserver(
  config: ResolvedConfig,
  dependencies: AzureDependencies,
): CloudObserver {
  const spec = config.spec as {
    subscription_id?: string;
    resource_group?: string;
    acr_name?: string;
    namespace?: string;
  };
  const names = aksNames(config.name, spec);
  let access: Promise<KubeAccess> | undefined;
  const workload: AksWorkload = {
    namespace: String(spec.namespace),
    name: names.workload,
    access: () => (access ??= kubeAccess()),
  };
  async function kubeAccess(): Promise<KubeAccess> {
    const env = dependencies.env ?? process.env;
    const subscriptionId =
      spec.subscription_id ??
      AZURE_SUBSCRIPTION_ENV.map((name) => env[name]).find((value): value is string => !!value);
    if (subscriptionId === undefined) {
      throw errors.azureSubscriptionUnset(
        `reading the AKS cluster ${names.cluster}`,
        AZURE_SUBSCRIPTION_ENV,
      );
    }
    const source = await (dependencies.tokens ?? createAzureTokenSource)();
    let token: string | undefined;
    try {
      token = (await source.getToken(AZURE_MANAGEMENT_SCOPE))?.token;
    } catch (error) {
      throw errors.cloudCredentialsMissing(
        'Azure Resource Manager',
        `DefaultAzureCredential gave no token: ${(error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)).replace(/\.$/, '')}`,
        'Run `az login`, or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET.',
      );
    }
    if (!token)
      throw errors.cloudCredentialsMissing(
        'Azure Resource Manager',
        'DefaultAzureCredential returned no token',
      );
    return aksKubeAccess(
      { subscriptionId, resourceGroup: names.resourceGroup, name: names.cluster },
      token,
      dependencies.fetch,
    );
  }
  return {
    logs: async () => aksLogSource(workload),
    status: () => aksStatus(workload),
  };
}
