/**
 * The cluster's address and client credentials for `logs` and `status` on azure-aks: ARM's
 * listClusterUserCredential (what `az aks get-credentials` calls) returns a kubeconfig. The
 * stack's cluster keeps local accounts, so that kubeconfig holds a client certificate; a cluster
 * switched to Entra ID gives one that needs kubelogin, which bentoctl does not run.
 */
import { parse } from 'yaml';
import type { FetchLike } from '../builders/registry-auth/acr.js';
import { errors } from '../errors/index.js';

const ARM = 'https://management.azure.com';
const API_VERSION = '2024-05-01';
const API = 'Azure Resource Manager listClusterUserCredential';

export interface AksCluster {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
}

/** What a request to the Kubernetes API needs, from the kubeconfig's first cluster and user. */
export interface KubeAccess {
  readonly server: string;
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly token?: string;
}

interface KubeconfigDocument {
  readonly clusters?: readonly {
    readonly cluster?: { readonly server?: string; readonly 'certificate-authority-data'?: string };
  }[];
  readonly users?: readonly {
    readonly user?: {
      readonly 'client-certificate-data'?: string;
      readonly 'client-key-data'?: string;
      readonly token?: string;
      readonly exec?: unknown;
    };
  }[];
}

const decode = (value: string | undefined) =>
  value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');

export async function aksKubeAccess(
  cluster: AksCluster,
  armToken: string,
  fetchImpl: FetchLike = fetch as FetchLike,
): Promise<KubeAccess> {
  const resource = `the AKS cluster ${cluster.name} in resource group ${cluster.resourceGroup} (subscription ${cluster.subscriptionId})`;
  const url = `${ARM}/subscriptions/${cluster.subscriptionId}/resourceGroups/${cluster.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${cluster.name}/listClusterUserCredential?api-version=${API_VERSION}`;
  let reply: Awaited<ReturnType<FetchLike>>;
  try {
    reply = await fetchImpl(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${armToken}`, 'content-type': 'application/json' },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw errors.cloudRequestFailed(
      API,
      `POST ${url}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const text = await reply.text();
  const detail = `HTTP ${reply.status}: ${text.slice(0, 300)}`;
  if (reply.status === 401)
    throw errors.cloudCredentialsMissing(
      API,
      detail,
      'Run `az login`, or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET.',
    );
  if (reply.status === 403) {
    throw errors.cloudAccessDenied(
      API,
      resource,
      `Microsoft.ContainerService/managedClusters/listClusterUserCredential/action (the Azure Kubernetes Service Cluster User Role) on ${resource}`,
      detail,
    );
  }
  if (reply.status === 404) throw errors.cloudResourceNotFound(API, resource, detail);
  if (!reply.ok) throw errors.cloudRequestFailed(API, detail);
  const value = (JSON.parse(text) as { kubeconfigs?: { value?: string }[] }).kubeconfigs?.[0]
    ?.value;
  const document = parse(decode(value) ?? '') as KubeconfigDocument | null;
  const server = document?.clusters?.[0]?.cluster?.server;
  const user = document?.users?.[0]?.user;
  if (server === undefined || user === undefined) {
    throw errors.cloudRequestFailed(
      API,
      'the answer holds no kubeconfig with a cluster and a user',
    );
  }
  if (
    user.exec !== undefined &&
    user['client-certificate-data'] === undefined &&
    user.token === undefined
  ) {
    throw errors.cloudCredentialsMissing(
      `the Kubernetes API of ${resource}`,
      'the cluster signs users in through Entra ID (kubelogin), which bentoctl does not run',
      'Keep local accounts on the cluster (as the stack does), or read the logs with `kubectl logs` after `az aks get-credentials`.',
    );
  }
  const ca = decode(document?.clusters?.[0]?.cluster?.['certificate-authority-data']);
  const cert = decode(user['client-certificate-data']);
  const key = decode(user['client-key-data']);
  return {
    server: server.replace(/\/+$/, ''),
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(user.token === undefined ? {} : { token: user.token }),
  };
}
