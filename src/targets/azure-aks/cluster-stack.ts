/**
 * The cluster stack of azure-aks (see stack.ts): the Azure resources, and as outputs of its
 * state what the workload stack connects with (cluster-outputs.ts).
 */
import { Fn, TerraformOutput } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider/index.js';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config/index.js';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment/index.js';
import type { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { addPropagationWait } from '../common/propagation-wait.js';
import type { SynthInput } from '../synthesizer.js';
import { addAksCluster } from './cluster.js';
import { addKeyVaultIdentity } from './key-vault-identity.js';
import { keyVaultEnv } from './secret-env.js';
import { CLUSTER_OUTPUTS } from './cluster-outputs.js';
import { INGRESS_GATEWAY_SERVICE } from './ingress-gateway.js';
import { aksNames, defaultAksImageRepository } from './names.js';
import { addAksRegistry } from './registry.js';
import { containerRegistryId, resourceGroupId } from './registry-settings.js';
import type { AzureAksSpec } from './spec.js';
import { literalTags } from './tags.js';

/** How long the first workload plan waits for a new cluster-admin role assignment. */
export const ROLE_PROPAGATION_SECONDS = 120;

/** The cluster stack's providers, resources and outputs. */
export function synthesizeAksCluster(input: SynthInput<AzureAksSpec>): void {
  const { stack, config, spec } = input;
  const names = aksNames(config.name, spec);

  addAzurermProvider(stack, spec);
  const tags = { ...input.labels, ...literalTags(spec.tags) };
  const secrets = keyVaultEnv(config);
  const { resourceGroup, cluster } = addAksCluster(stack, {
    spec,
    names,
    tags,
    keyVaultSecrets: secrets.length > 0,
    ...(config.release.strategy !== 'rolling' && spec.service_mesh_revision !== undefined
      ? { serviceMeshRevision: spec.service_mesh_revision }
      : {}),
  });
  if (secrets.length > 0) {
    const identity = addKeyVaultIdentity(stack, {
      name: names.workloadIdentity,
      resourceGroup,
      cluster,
      subject: `system:serviceaccount:${spec.namespace}:${names.serviceAccount}`,
      references: secrets.map((secret) => secret.reference),
      tags,
    });
    output(stack, CLUSTER_OUTPUTS.workloadClientId, identity.clientId, false);
    output(stack, CLUSTER_OUTPUTS.tenantId, identity.tenantId, false);
  }

  // A repository given in `image:` is the user's to manage (and to grant AcrPull on).
  let imageRepository = config.image.repository;
  if (imageRepository === undefined) {
    const { registry } = addAksRegistry(stack, {
      name: names.registry,
      resourceGroup,
      cluster,
      tags,
    });
    imageRepository = `${registry.loginServer}/${config.name}`;
    // `bentoctl build --push` creates the registry, and its resource group when missing, before
    // the first push (the push needs them; src/builders/registry-auth/acr-registry.ts). The
    // stack adopts both instead of failing with "already exists"; once in state the imports
    // are no-ops. Without the push (another image) nothing was created and nothing is imported.
    if (input.image.repository === defaultAksImageRepository(config.name, spec)) {
      const subscription = spec.subscription_id ?? clientSubscription(input);
      resourceGroup.importFrom(resourceGroupId(subscription, names.resourceGroup));
      registry.importFrom(containerRegistryId(subscription, names.resourceGroup, names.registry));
    }
  }

  const kubeConfig = cluster.kubeConfig.get(0);
  if (spec.local_accounts) {
    output(
      stack,
      CLUSTER_OUTPUTS.clientCertificate,
      Fn.base64decode(kubeConfig.clientCertificate),
      true,
    );
    output(stack, CLUSTER_OUTPUTS.clientKey, Fn.base64decode(kubeConfig.clientKey), true);
  } else {
    // Whoever runs Terraform administers the workload through Azure RBAC; the role takes a
    // few minutes to reach the API server, so the stack waits for it before it is done and the
    // workload stack is planned.
    const admin = new RoleAssignment(stack, 'cluster_admin', {
      scope: cluster.id,
      roleDefinitionName: 'Azure Kubernetes Service RBAC Cluster Admin',
      principalId: clientConfig(stack).objectId,
    });
    addPropagationWait(stack, {
      id: 'cluster_admin_propagation',
      seconds: ROLE_PROPAGATION_SECONDS,
      after: [admin],
    });
  }
  output(stack, CLUSTER_OUTPUTS.host, kubeConfig.host, false);
  output(
    stack,
    CLUSTER_OUTPUTS.clusterCaCertificate,
    Fn.base64decode(kubeConfig.clusterCaCertificate),
    false,
  );
  output(stack, CLUSTER_OUTPUTS.imageRepository, imageRepository, false);
  if (config.release.strategy !== 'rolling') {
    output(stack, CLUSTER_OUTPUTS.ingressGateway, INGRESS_GATEWAY_SERVICE.id, false);
  }
}

/** The azurerm provider both stacks sign in to Azure with. */
export function addAzurermProvider(stack: TerraformStack, spec: AzureAksSpec): void {
  new AzurermProvider(stack, 'azurerm', {
    features: [{}],
    ...(spec.subscription_id !== undefined ? { subscriptionId: spec.subscription_id } : {}),
  });
}

function output(stack: TerraformStack, name: string, value: string, sensitive: boolean): void {
  new TerraformOutput(stack, name, {
    value,
    description: 'Read by the workload stack (bentoctl plumbing)',
    ...(sensitive ? { sensitive: true } : {}),
  });
}

/**
 * The subscription the azurerm provider signs in to (ARM_SUBSCRIPTION_ID at apply time), for
 * import ids when the config does not name one. Terraform reads this data source while planning,
 * which an import id needs; an id that is an expression needs Terraform 1.6, so the stack says
 * so instead of failing on 1.5 with a less clear error.
 */
function clientSubscription(input: SynthInput<AzureAksSpec>): string {
  input.requireTerraform('1.6.0');
  return clientConfig(input.stack).subscriptionId;
}

/** The identity running Terraform, read once per stack. */
function clientConfig(scope: Construct): DataAzurermClientConfig {
  const existing = scope.node.tryFindChild('client_config');
  return existing instanceof DataAzurermClientConfig
    ? existing
    : new DataAzurermClientConfig(scope, 'client_config', {});
}
