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
  outputs: [
    { name: 'endpoint', description: 'URL of the LoadBalancer service in front of the pods' },
    { name: 'image_repository', description: 'ACR repository the image is pushed to' },
  ],
  releaseStrategies: {
    rolling: 'Kubernetes rolling update of the Deployment (maxUnavailable 0)',
  },
  releaseGaps: {
    canary:
      'weighted routing needs an ingress controller or Gateway API in the cluster, which the stack does not install yet',
    'blue-green': 'a switch between two Deployments behind one Service is not built yet',
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
  loadSynthesizer: async () => (await import('./stack.js')).synthesizeAzureAks,
};
