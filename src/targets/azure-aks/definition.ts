import { KEY_VAULT_REFERENCE_FORM, parseKeyVaultReference } from './key-vault-reference.js';
import type { TargetDefinition } from '../target.js';
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
  secretReference: {
    form: KEY_VAULT_REFERENCE_FORM,
    isValid: (reference) => parseKeyVaultReference(reference) !== undefined,
  },
  initFields: [
    'location',
    'node_vm_size',
    'cpu_millicores',
    'memory',
    'min_instances',
    'max_instances',
  ],
  stateScope: (spec) => spec.location,
  preflight: (spec, context) => preflightAzureAks(spec, context),
  loadSynthesizer: async () => (await import('./stack.js')).synthesizeAzureAks,
};
