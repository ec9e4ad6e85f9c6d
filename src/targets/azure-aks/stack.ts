/**
 * Terraform for the azure-aks target: the cluster and its registry through azurerm, then the
 * workload through a kubernetes provider configured from the cluster created in the same run.
 *
 * That provider only knows the cluster's address once the cluster exists; Terraform plans the
 * Kubernetes resources with unknown credentials on the first apply, which works for the typed
 * `kubernetes_*` resources used here (no `kubernetes_manifest`, which needs the API at plan).
 * A plan that replaces the cluster (or makes its address unknown) still leaves the provider
 * without a host; the fix is a cluster stack and a workload stack applied in order, which the
 * deploy workflow does not do yet.
 */
import { Fn, TerraformOutput } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider/index.js';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config/index.js';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider/index.js';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment/index.js';
import type { ITerraformDependable, TerraformResource } from 'cdktf';
import type { Construct } from 'constructs';
import { addPropagationWait } from '../common/propagation-wait.js';
import { errors } from '../../errors/index.js';
import { secretEnvVars } from '../common/secret-env-vars.js';
import type { SynthInput } from '../synthesizer.js';
import { addAksCluster } from './cluster.js';
import { addNvidiaDevicePlugin } from './gpu-device-plugin.js';
import {
  KEY_VAULT_REFERENCE_FORM,
  parseKeyVaultReference,
  type KeyVaultSecretReference,
} from './key-vault-reference.js';
import { addImagePullSecret, addKeyVaultSecrets, type KeyVaultEnv } from './key-vault-secrets.js';
import { aksNames, defaultAksImageRepository } from './names.js';
import { addAksRegistry } from './registry.js';
import { containerRegistryId, resourceGroupId } from './registry-settings.js';
import type { AzureAksSpec } from './spec.js';
import { literalTags } from './tags.js';
import { addNamespace, addWorkload } from './workload.js';

/**
 * Without local accounts the kubernetes provider signs in through kubelogin with the Azure CLI
 * login (`az login`, or azure/login in CI), for the AKS Entra ID server application.
 */
export const KUBELOGIN_EXEC = {
  apiVersion: 'client.authentication.k8s.io/v1beta1',
  command: 'kubelogin',
  args: ['get-token', '--login', 'azurecli', '--server-id', '6dae42f8-4368-4678-94ff-3960e28e3630'],
} as const;
/** How long the Kubernetes resources wait for a new cluster-admin role assignment. */
export const ROLE_PROPAGATION_SECONDS = 120;

/** The azure-aks `Synthesizer` (its definition loads it): providers, resources and outputs. */
export function synthesizeAzureAks(input: SynthInput<AzureAksSpec>): void {
  const { stack, config, spec } = input;
  const names = aksNames(config.name, spec);
  const gpu = config.runtime.device === 'gpu' && spec.gpu_node_pool !== undefined;
  const secretEnv: KeyVaultEnv[] = secretEnvVars(config).map(({ name, reference }) => ({
    name,
    reference: keyVaultReference(name, reference),
  }));

  new AzurermProvider(stack, 'azurerm', {
    features: [{}],
    ...(spec.subscription_id !== undefined ? { subscriptionId: spec.subscription_id } : {}),
  });
  const tags = { ...input.labels, ...literalTags(spec.tags) };
  const { resourceGroup, cluster, gpuNodePool } = addAksCluster(stack, { spec, names, tags });

  // A repository given in `image:` is the user's to manage (and to grant AcrPull on).
  const pullRights: ITerraformDependable[] = [];
  let imageRepository = config.image.repository;
  if (imageRepository === undefined) {
    const { registry, acrPull } = addAksRegistry(stack, {
      name: names.registry,
      resourceGroup,
      cluster,
      tags,
    });
    pullRights.push(acrPull);
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
  const clusterAccess: TerraformResource[] = [];
  if (spec.local_accounts) {
    new KubernetesProvider(stack, 'kubernetes', {
      host: kubeConfig.host,
      clientCertificate: Fn.base64decode(kubeConfig.clientCertificate),
      clientKey: Fn.base64decode(kubeConfig.clientKey),
      clusterCaCertificate: Fn.base64decode(kubeConfig.clusterCaCertificate),
    });
  } else {
    new KubernetesProvider(stack, 'kubernetes', {
      host: kubeConfig.host,
      clusterCaCertificate: Fn.base64decode(kubeConfig.clusterCaCertificate),
      exec: [{ ...KUBELOGIN_EXEC, args: [...KUBELOGIN_EXEC.args] }],
    });
    // Whoever runs Terraform administers the workload through Azure RBAC; the role takes a
    // few minutes to reach the API server, so the Kubernetes resources wait for it.
    const admin = new RoleAssignment(stack, 'cluster_admin', {
      scope: cluster.id,
      roleDefinitionName: 'Azure Kubernetes Service RBAC Cluster Admin',
      principalId: clientConfig(stack).objectId,
    });
    const wait = addPropagationWait(stack, {
      id: 'cluster_admin_propagation',
      seconds: ROLE_PROPAGATION_SECONDS,
      after: [admin],
    });
    clusterAccess.push(admin, ...(wait !== undefined ? [wait] : []));
  }

  // input.labels already follow Kubernetes label rules; Azure tags (spec.tags) need not.
  const labels = { ...input.labels, 'app.kubernetes.io/managed-by': 'bentoctl' };
  const selector = {
    'app.kubernetes.io/name': names.workload,
    'app.kubernetes.io/instance': names.workload,
  };
  const gpuReady: ITerraformDependable[] = [];
  if (gpu && gpuNodePool !== undefined) {
    gpuReady.push(
      gpuNodePool,
      addNvidiaDevicePlugin(stack, { labels, dependsOn: [gpuNodePool, ...clusterAccess] }),
    );
  }

  const namespace = addNamespace(stack, {
    name: spec.namespace,
    labels,
    dependsOn: clusterAccess,
  });
  const secret = addKeyVaultSecrets(stack, {
    env: secretEnv,
    secretName: names.secret,
    namespace: namespace.metadata.name,
    labels,
  });
  const pullSecret =
    spec.image_pull_secret === undefined
      ? undefined
      : addImagePullSecret(stack, {
          reference: keyVaultReference('image_pull_secret', spec.image_pull_secret),
          secretName: names.imagePullSecret,
          namespace: namespace.metadata.name,
          labels,
        });
  const { service } = addWorkload(stack, {
    spec,
    name: names.workload,
    namespace: namespace.metadata.name,
    image: input.image.ref,
    port: config.runtime.port,
    gpu,
    environment: input.environment,
    secret,
    ...(pullSecret !== undefined ? { imagePullSecret: pullSecret } : {}),
    labels: { ...labels, ...selector },
    bentoLabels: input.bentoLabels,
    selector,
    dependsOn: [...pullRights, ...gpuReady],
    lifecycle: input.lifecycle,
  });

  const ip = service.status.get(0).loadBalancer.get(0).ingress.get(0).ip;
  new TerraformOutput(stack, 'endpoint', {
    // Plain HTTP (the load balancer passes TCP through); the port only when it is not 80.
    value: spec.service_port === 80 ? `http://${ip}` : `http://${ip}:${spec.service_port}`,
    description: spec.public
      ? 'URL of the public load balancer in front of the pods'
      : 'URL of the internal load balancer in front of the pods (reachable from the VNet)',
  });
  new TerraformOutput(stack, 'image_repository', {
    value: imageRepository,
    description: 'Repository the image is pushed to',
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

function keyVaultReference(name: string, reference: string): KeyVaultSecretReference {
  const parsed = parseKeyVaultReference(reference);
  if (parsed === undefined) {
    throw errors.secretReferenceInvalid(name, reference, KEY_VAULT_REFERENCE_FORM);
  }
  return parsed;
}
