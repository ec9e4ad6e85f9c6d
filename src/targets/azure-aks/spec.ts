import { z } from 'zod';
import { AZURE_LOCATIONS } from '../clouds/azure-locations.js';
import {
  allowedCidrsField,
  instanceBounds,
  publicField,
  tagsField,
} from '../common/spec-fields.js';

const vmSize = z.string().regex(/^Standard_[A-Za-z0-9_]+$/, 'must be an Azure VM size such as Standard_D4s_v5');

export const azureAksSpecSchema = z.strictObject({
  location: z.enum(AZURE_LOCATIONS).default('eastus').meta({ description: 'Azure location.' }),
  resource_group: z
    .string()
    .regex(/^[-\w.()]{1,89}[-\w()]$/, 'must be 1-90 letters, digits, -, _, ., ( or ), not ending in .')
    .optional()
    .meta({ description: 'Resource group to create. @default - <name>-rg' }),
  kubernetes_version: z
    .string()
    .regex(/^\d+\.\d+(\.\d+)?$/, 'must look like 1.31 or 1.31.2')
    .optional()
    .meta({ description: 'AKS Kubernetes version. @default - the AKS default version' }),
  node_vm_size: vmSize.default('Standard_D4s_v5').meta({ description: 'VM size of the system node pool.' }),
  node_count: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(2)
    .meta({ description: 'Nodes in the system node pool.' }),
  gpu_node_pool: z
    .strictObject({
      vm_size: vmSize
        .default('Standard_NC4as_T4_v3')
        .meta({ description: 'GPU VM size (NC, ND or NV series).' }),
      node_count: z.number().int().min(1).max(1000).default(1).meta({ description: 'GPU nodes.' }),
    })
    .optional()
    .meta({ description: 'Add a tainted GPU node pool for the workload. @default - no GPU pool' }),
  namespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS label: lowercase letters, digits and -')
    .default('bentoctl')
    .meta({ description: 'Kubernetes namespace of the workload.' }),
  cpu_millicores: z
    .number()
    .int()
    .min(100)
    .max(64000)
    .default(1000)
    .meta({ description: 'CPU request and limit per pod, in millicores.' }),
  memory: z
    .number()
    .int()
    .min(128)
    .max(262144)
    .default(2048)
    .meta({ description: 'Memory request and limit per pod, in MiB.' }),
  ...instanceBounds({ min: 2, max: 6, floor: 1, ceiling: 1000 }),
  public: publicField,
  allowed_cidrs: allowedCidrsField,
  tags: tagsField,
});

export type AzureAksSpec = z.output<typeof azureAksSpecSchema>;
