/**
 * Container logs and metrics into Log Analytics. The cluster's `oms_agent` with managed
 * identity authentication only installs the agent: what it collects and where it sends it is a
 * data collection rule associated with the cluster, without which the workspace stays empty
 * (https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable).
 */
import { MonitorDataCollectionRule } from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule/index.js';
import { MonitorDataCollectionRuleAssociation } from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule-association/index.js';
import type { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster/index.js';
import type { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace/index.js';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group/index.js';
import { Fn } from 'cdktf';
import type { Construct } from 'constructs';

/** The Container Insights stream with container logs (v2 schema), inventory and performance. */
export const CONTAINER_INSIGHTS_STREAM = 'Microsoft-ContainerInsights-Group-Default';
/** How often the agent collects inventory and performance data. */
export const COLLECTION_INTERVAL = '1m';

export function addContainerInsights(
  scope: Construct,
  props: {
    readonly name: string;
    readonly resourceGroup: ResourceGroup;
    readonly workspace: LogAnalyticsWorkspace;
    readonly cluster: KubernetesCluster;
    readonly tags: Readonly<Record<string, string>>;
  },
): MonitorDataCollectionRule {
  const destination = 'logs';
  const rule = new MonitorDataCollectionRule(scope, 'container_insights', {
    name: props.name,
    location: props.resourceGroup.location,
    resourceGroupName: props.resourceGroup.name,
    kind: 'Linux',
    destinations: {
      logAnalytics: [{ name: destination, workspaceResourceId: props.workspace.id }],
    },
    dataFlow: [{ streams: [CONTAINER_INSIGHTS_STREAM], destinations: [destination] }],
    dataSources: {
      extension: [
        {
          name: 'ContainerInsightsExtension',
          extensionName: 'ContainerInsights',
          streams: [CONTAINER_INSIGHTS_STREAM],
          extensionJson: Fn.jsonencode({
            dataCollectionSettings: {
              interval: COLLECTION_INTERVAL,
              namespaceFilteringMode: 'Off',
              enableContainerLogV2: true,
            },
          }),
        },
      ],
    },
    tags: { ...props.tags },
  });
  new MonitorDataCollectionRuleAssociation(scope, 'container_insights_association', {
    name: 'ContainerInsightsExtension',
    targetResourceId: props.cluster.id,
    dataCollectionRuleId: rule.id,
  });
  return rule;
}
