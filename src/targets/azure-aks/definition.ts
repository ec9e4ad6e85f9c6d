import { aksPlanNotes } from './plan-notes.js';
import { aksNames, candidateName } from './names.js';
import { KEY_VAULT_REFERENCE_FORM, parseKeyVaultReference } from './key-vault-reference.js';
import type { TargetDefinition } from '../target.js';
import { aksImagePullProblem } from './image-source.js';
import { secretsInStateWarnings } from './secrets-in-state.js';
import { preflightAzureAks } from './preflight.js';
import { azureAksSpecSchema } from './spec.js';

export const azureAks: TargetDefinition<typeof azureAksSpecSchema> = {
  name: 'azure-aks',
  cloud: 'azure',
  summary: 'Azure Kubernetes Service with ACR, HPA and an optional GPU node pool',
  specSchema: azureAksSpecSchema,
  registry: 'acr',
  // Cluster first: the workload's kubernetes provider is configured from its state (stack.ts).
  stacks: [
    {
      name: 'cluster',
      summary: 'resource group, cluster, node pools, registry and role assignments',
    },
    { name: 'workload', summary: 'the Kubernetes resources that run the bento' },
  ],
  outputs: [
    {
      name: 'endpoint',
      description:
        "URL of the LoadBalancer service in front of the pods (canary, blue-green: the cluster's internal Istio ingress gateway)",
    },
    {
      name: 'candidate_endpoint',
      description:
        "URL of the candidate Deployment's own internal load balancer while a candidate runs, null otherwise; for a smoke test before it takes traffic",
      when: 'candidate',
    },
    { name: 'image_repository', description: 'ACR repository the image is pushed to' },
    {
      name: 'grpc_endpoint',
      description:
        "host:port of the gRPC service on the LoadBalancer service (plaintext; canary, blue-green: the internal Istio ingress gateway's port 80)",
      when: 'grpc',
    },
  ],
  releaseStrategies: {
    rolling: 'Kubernetes rolling update of the Deployment (maxUnavailable 0)',
    canary:
      "a candidate Deployment beside the stable one, behind the Istio add-on's internal ingress gateway: it gets percent of the requests (VirtualService weights) until `bentoctl release promote` or `abort`; needs spec.service_mesh_revision",
    'blue-green':
      'a candidate Deployment that gets 0 % (its own internal load balancer, candidate_endpoint, for a smoke test) until `bentoctl release promote` moves all traffic; needs spec.service_mesh_revision',
  },
  candidateUrl: {
    kind: 'release',
    // The candidate's LoadBalancer Service, whose address is `candidate_endpoint`.
    describe: (deployment, spec) =>
      `own URL: Service ${candidateName(aksNames(deployment, spec).workload)}`,
  },
  grpc: {
    served: true,
    how: "a second port of the LoadBalancer Service, runtime.grpc.port, to the container port of the same number (plaintext HTTP/2; the network policy admits it too); under canary and blue-green the ingress gateway's port 80 routes gRPC calls (by content-type) to both Deployments' gRPC ports with the same weights as the HTTP requests, and the candidate's own load balancer has the gRPC port too",
  },
  lifecycle: {
    terminated:
      'the Deployment at 0 replicas and its HorizontalPodAutoscaler removed (an HPA cannot hold zero); the Service, the cluster and its node pools, the registry and images stay',
    restored:
      'the Deployment at min_instances and its HorizontalPodAutoscaler back; bentoctl restore waits until the endpoint answers from the current release',
  },
  secretReference: {
    form: KEY_VAULT_REFERENCE_FORM,
    isValid: (reference) => parseKeyVaultReference(reference) !== undefined,
  },
  initFields: [
    'location',
    'api_server_authorized_ip_ranges',
    'node_vm_size',
    'cpu_millicores',
    'memory',
    'min_instances',
    'max_instances',
  ],
  stateScope: (spec) => spec.location,
  preflight: (spec, context) => preflightAzureAks(spec, context),
  imagePullProblem: (repository, spec) => aksImagePullProblem(repository, spec),
  warnings: (config) => secretsInStateWarnings(config),
  planNotes: (summary) => aksPlanNotes(summary),
  loadSynthesizer: async () => (await import('./stack.js')).synthesizeAzureAks,
};
