/**
 * The workload stack of azure-aks (see stack.ts): the Kubernetes resources, through a kubernetes
 * provider configured from the cluster stack's state. The cluster stack is applied before this
 * one is planned whenever its outputs change, so the provider always has a real address.
 */
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider/index.js';
import { TerraformOutput } from 'cdktf';
import type { ITerraformDependable } from 'cdktf';
import type { SynthInput } from '../synthesizer.js';
import { addAzurermProvider } from './cluster-stack.js';
import { CLUSTER_OUTPUTS, CLUSTER_REMOTE_STATE } from './cluster-outputs.js';
import { addNvidiaDevicePlugin } from './gpu-device-plugin.js';
import { addKeyVaultCsiSecrets } from './key-vault-csi.js';
import { addImagePullSecret } from './key-vault-secrets.js';
import { keyVaultEnv, keyVaultReference } from './secret-env.js';
import { aksNames, candidateName } from './names.js';
import type { AzureAksSpec } from './spec.js';
import {
  addCandidate,
  addReleaseRouting,
  addRoutingOutputs,
  addTrafficRoutes,
} from './release-routing.js';
import { addNamespace, addWorkload, type WorkloadProps } from './workload.js';

/**
 * Without local accounts the kubernetes provider signs in through kubelogin with the Azure CLI
 * login (`az login`, or azure/login in CI), for the AKS Entra ID server application.
 */
export const KUBELOGIN_EXEC = {
  apiVersion: 'client.authentication.k8s.io/v1beta1',
  command: 'kubelogin',
  args: ['get-token', '--login', 'azurecli', '--server-id', '6dae42f8-4368-4678-94ff-3960e28e3630'],
} as const;

/** The workload stack's providers, Kubernetes resources and the target's outputs. */
export function synthesizeAksWorkload(input: SynthInput<AzureAksSpec>): void {
  const { stack, config, spec } = input;
  if (input.remoteState === undefined)
    throw new Error('the workload stack reads the cluster stack');
  const names = aksNames(config.name, spec);
  const gpu = config.runtime.device === 'gpu' && spec.gpu_node_pool !== undefined;
  const secretEnv = keyVaultEnv(config);
  const cluster = input.remoteState('cluster', CLUSTER_REMOTE_STATE);

  // The image pull secret is read through azurerm (key-vault-secrets.ts); the others are read
  // by the CSI driver on the nodes.
  if (spec.image_pull_secret !== undefined) {
    addAzurermProvider(stack, spec);
  }
  if (spec.local_accounts) {
    new KubernetesProvider(stack, 'kubernetes', {
      host: cluster.getString(CLUSTER_OUTPUTS.host),
      clientCertificate: cluster.getString(CLUSTER_OUTPUTS.clientCertificate),
      clientKey: cluster.getString(CLUSTER_OUTPUTS.clientKey),
      clusterCaCertificate: cluster.getString(CLUSTER_OUTPUTS.clusterCaCertificate),
    });
  } else {
    new KubernetesProvider(stack, 'kubernetes', {
      host: cluster.getString(CLUSTER_OUTPUTS.host),
      clusterCaCertificate: cluster.getString(CLUSTER_OUTPUTS.clusterCaCertificate),
      exec: [{ ...KUBELOGIN_EXEC, args: [...KUBELOGIN_EXEC.args] }],
    });
  }

  // input.labels already follow Kubernetes label rules; Azure tags (spec.tags) need not.
  const labels = { ...input.labels, 'app.kubernetes.io/managed-by': 'bentoctl' };
  const selector = {
    'app.kubernetes.io/name': names.workload,
    'app.kubernetes.io/instance': names.workload,
  };
  // The GPU node pool is in the cluster stack, applied before this one.
  const gpuReady: ITerraformDependable[] = [];
  if (gpu) gpuReady.push(addNvidiaDevicePlugin(stack, { labels, dependsOn: [] }));

  const namespace = addNamespace(stack, { name: spec.namespace, labels });
  const secret = addKeyVaultCsiSecrets(stack, {
    env: secretEnv,
    secretName: names.secret,
    serviceAccountName: names.serviceAccount,
    namespace: namespace.metadata.name,
    clientId: cluster.getString(CLUSTER_OUTPUTS.workloadClientId),
    tenantId: cluster.getString(CLUSTER_OUTPUTS.tenantId),
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
  const pods = {
    image: input.image.ref,
    environment: input.environment,
    bentoLabels: input.bentoLabels,
  };
  // Canary and blue-green: two Deployments behind the mesh's gateway (release-routing.ts).
  const routing =
    config.release.strategy === 'rolling'
      ? undefined
      : addReleaseRouting(stack, { workload: names.workload, pods });
  const workloadLabels = { ...labels, ...selector };
  const workload: WorkloadProps = {
    spec,
    name: names.workload,
    namespace: namespace.metadata.name,
    image: pods.image,
    port: config.runtime.port,
    ...(config.runtime.grpc.enabled ? { grpcPort: config.runtime.grpc.port } : {}),
    gpu,
    environment: pods.environment,
    secret,
    ...(pullSecret !== undefined ? { imagePullSecret: pullSecret } : {}),
    labels: workloadLabels,
    bentoLabels: pods.bentoLabels,
    selector,
    dependsOn: gpuReady,
    lifecycle: input.lifecycle,
    ...(routing === undefined ? {} : { stable: routing.stable }),
  };
  const { service, deployment } = addWorkload(stack, workload);

  if (routing === undefined) {
    const ip = service.status.get(0).loadBalancer.get(0).ingress.get(0).ip;
    new TerraformOutput(stack, 'endpoint', {
      // Plain HTTP (the load balancer passes TCP through); the port only when it is not 80.
      value: spec.service_port === 80 ? `http://${ip}` : `http://${ip}:${spec.service_port}`,
      description: spec.public
        ? 'URL of the public load balancer in front of the pods'
        : 'URL of the internal load balancer in front of the pods (reachable from the VNet)',
    });
    if (config.runtime.grpc.enabled) {
      new TerraformOutput(stack, 'grpc_endpoint', {
        // What a gRPC client dials: the same address, plaintext HTTP/2 passed through as TCP.
        value: `${ip}:${config.runtime.grpc.port}`,
        description: 'host:port of the gRPC service on the load balancer (plaintext)',
      });
    }
  } else {
    const metadata = {
      name: names.workload,
      namespace: namespace.metadata.name,
      labels: workloadLabels,
    };
    const candidate = addCandidate(stack, {
      workload,
      routing,
      release: config.release,
      metadata,
      pods,
    });
    addTrafficRoutes(stack, {
      routing,
      metadata,
      stableService: names.workload,
      candidateService: candidateName(names.workload),
      servicePort: spec.service_port,
      grpcPort: workload.grpcPort,
      dependsOn: [deployment, candidate.deployment],
    });
    addRoutingOutputs(stack, {
      routing,
      ingressGateway: cluster.getString(CLUSTER_OUTPUTS.ingressGateway),
      candidateService: candidate.service,
      grpc: config.runtime.grpc.enabled,
    });
  }
  new TerraformOutput(stack, 'image_repository', {
    value: cluster.getString(CLUSTER_OUTPUTS.imageRepository),
    description: 'Repository the image is pushed to',
  });
}
