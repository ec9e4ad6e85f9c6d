/**
 * The Azure side of an AKS deployment: resource group, Log Analytics with the data collection
 * rule that fills it, the cluster (Entra ID sign-in, authorized API server ranges, Cilium network
 * policy by default) with its system node pool and, when asked, a tainted GPU node pool that only
 * GPU pods tolerate, autoscaled up to `max_node_count`.
 */
import { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster/index.js';
import { KubernetesClusterNodePool } from '@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool/index.js';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace/index.js';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group/index.js';
import type { Construct } from 'constructs';
import { addContainerInsights } from './container-insights.js';
import type { AksNames } from './names.js';
import type { AzureAksSpec } from './spec.js';

/** Days Log Analytics keeps container logs: the workspace's free retention. */
export const LOG_RETENTION_DAYS = 30;

/** How often the CSI driver refreshes mounted Key Vault secrets (the add-on's default). */
export const SECRET_ROTATION_INTERVAL = '2m';

/** GPU nodes carry this taint, so only pods that ask for a GPU land on them. */
export const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' } as const;
/** GPU nodes carry this label; GPU pods and the NVIDIA device plugin select it. */
export const GPU_NODE_LABEL = { key: 'accelerator', value: 'nvidia' } as const;

export interface AksCluster {
  readonly resourceGroup: InstanceType<typeof ResourceGroup>;
  readonly cluster: InstanceType<typeof KubernetesCluster>;
  readonly gpuNodePool?: InstanceType<typeof KubernetesClusterNodePool>;
}

export function addAksCluster(
  scope: Construct,
  props: {
    spec: AzureAksSpec;
    names: AksNames;
    tags: Readonly<Record<string, string>>;
    /** Turn on the Key Vault CSI driver and workload identity (key-vault-csi.ts). @default false */
    keyVaultSecrets?: boolean;
    /**
     * Turn on the Istio add-on at this revision with its internal ingress gateway, which routes
     * canary and blue-green releases (release-routing.ts). @default - no mesh (rolling)
     */
    serviceMeshRevision?: string;
  },
): AksCluster {
  const { spec, names } = props;
  const tags = { ...props.tags };
  const resourceGroup = new ResourceGroup(scope, 'resource_group', {
    name: names.resourceGroup,
    location: spec.location,
    tags,
  });
  const logs = new LogAnalyticsWorkspace(scope, 'log_analytics', {
    name: names.logAnalytics,
    location: resourceGroup.location,
    resourceGroupName: resourceGroup.name,
    sku: 'PerGB2018',
    retentionInDays: LOG_RETENTION_DAYS,
    tags,
  });
  // 0.0.0.0/0 is written down to mean "open"; AKS wants no access profile for that.
  const authorized = spec.api_server_authorized_ip_ranges ?? [];
  const openApiServer = authorized.includes('0.0.0.0/0');
  // A pinned patch version (1.31.2) cannot follow the patch channel; a minor (1.31) or none can.
  const pinnedPatch = spec.kubernetes_version?.split('.').length === 3;
  const cluster = new KubernetesCluster(scope, 'cluster', {
    name: names.cluster,
    location: resourceGroup.location,
    resourceGroupName: resourceGroup.name,
    dnsPrefix: names.dnsPrefix,
    ...(spec.kubernetes_version !== undefined
      ? { kubernetesVersion: spec.kubernetes_version }
      : {}),
    skuTier: spec.sku_tier,
    ...(pinnedPatch ? {} : { automaticUpgradeChannel: 'patch' }),
    nodeOsUpgradeChannel: 'NodeImage',
    roleBasedAccessControlEnabled: true,
    // Without local accounts there is no admin client certificate to leak: Terraform and
    // kubectl sign in with Entra ID (kubelogin) and are authorized by Azure RBAC.
    localAccountDisabled: !spec.local_accounts,
    ...(spec.local_accounts
      ? {}
      : { azureActiveDirectoryRoleBasedAccessControl: { azureRbacEnabled: true } }),
    ...(openApiServer
      ? {}
      : {
          apiServerAccessProfile: { authorizedIpRanges: [...authorized] },
        }),
    identity: { type: 'SystemAssigned' },
    defaultNodePool: {
      name: 'system',
      vmSize: spec.node_vm_size,
      nodeCount: spec.node_count,
      // Lets Terraform change vm_size by rotating the pool instead of replacing the cluster.
      temporaryNameForRotation: 'systemtmp',
      tags,
    },
    networkProfile: {
      networkPlugin: 'azure',
      networkPluginMode: 'overlay',
      loadBalancerSku: 'standard',
      // Azure CNI powered by Cilium enforces the workload's NetworkPolicy (workload.ts).
      ...(spec.network_policy === 'cilium'
        ? { networkDataPlane: 'cilium', networkPolicy: 'cilium' }
        : {}),
    },
    omsAgent: { logAnalyticsWorkspaceId: logs.id, msiAuthForMonitoringEnabled: true },
    // Secrets reach the pods through the Key Vault CSI driver, signed in with workload identity
    // (federated with the cluster's OIDC issuer), so their values never pass through Terraform.
    ...(props.keyVaultSecrets === true
      ? {
          keyVaultSecretsProvider: {
            secretRotationEnabled: true,
            secretRotationInterval: SECRET_ROTATION_INTERVAL,
          },
          oidcIssuerEnabled: true,
          workloadIdentityEnabled: true,
        }
      : {}),
    // Only the ingress gateway is used: no sidecars are injected into the workload's pods.
    ...(props.serviceMeshRevision !== undefined
      ? {
          serviceMeshProfile: {
            mode: 'Istio',
            revisions: [props.serviceMeshRevision],
            internalIngressGatewayEnabled: true,
          },
        }
      : {}),
    tags,
  });
  addContainerInsights(scope, {
    name: names.dataCollectionRule,
    resourceGroup,
    workspace: logs,
    cluster,
    tags,
  });
  if (spec.gpu_node_pool === undefined) return { resourceGroup, cluster };
  const { max_node_count: maxNodes, node_count: minNodes } = spec.gpu_node_pool;
  const autoscale = maxNodes !== undefined && maxNodes > minNodes;
  const gpuNodePool = new KubernetesClusterNodePool(scope, 'gpu_node_pool', {
    name: 'gpu',
    kubernetesClusterId: cluster.id,
    mode: 'User',
    osType: 'Linux',
    vmSize: spec.gpu_node_pool.vm_size,
    // With room to grow, the cluster autoscaler adds GPU nodes for pods the HPA asks for.
    ...(autoscale
      ? { autoScalingEnabled: true, minCount: minNodes, maxCount: maxNodes }
      : { nodeCount: minNodes }),
    nodeTaints: [`${GPU_TAINT.key}=${GPU_TAINT.value}:${GPU_TAINT.effect}`],
    nodeLabels: { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value },
    temporaryNameForRotation: 'gputmp',
    tags,
  });
  return { resourceGroup, cluster, gpuNodePool };
}
