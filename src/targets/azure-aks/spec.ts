import { z } from 'zod';
import { AZURE_LOCATIONS } from '../clouds/azure-locations.js';
import {
  allowedCidrsField,
  instanceBounds,
  publicField,
  tagsField,
} from '../common/spec-fields.js';
import { cidrSchema } from '../common/cidr.js';

const vmSize = z
  .string()
  .regex(/^Standard_[A-Za-z0-9_]+$/, 'must be an Azure VM size such as Standard_D4s_v5');

/** Network policy engines bentoctl configures: Cilium (Azure CNI powered by Cilium) or none. */
export const AKS_NETWORK_POLICIES = ['cilium', 'none'] as const;

/** AKS control plane tiers: Free has no uptime SLA; Standard has one (and costs per cluster hour). */
export const AKS_SKU_TIERS = ['Free', 'Standard'] as const;

export const azureAksSpecSchema = z.strictObject({
  subscription_id: z.uuid().optional().meta({
    description:
      'Azure subscription to deploy into. @default - ARM_SUBSCRIPTION_ID from the environment',
  }),
  location: z.enum(AZURE_LOCATIONS).default('eastus').meta({ description: 'Azure location.' }),
  resource_group: z
    .string()
    .regex(
      /^[-\w.()]{1,89}[-\w()]$/,
      'must be 1-90 letters, digits, -, _, ., ( or ), not ending in .',
    )
    .optional()
    .meta({ description: 'Resource group to create. @default - <name>-rg' }),
  kubernetes_version: z
    .string()
    .regex(/^\d+\.\d+(\.\d+)?$/, 'must look like 1.31 or 1.31.2')
    .optional()
    .meta({ description: 'AKS Kubernetes version. @default - the AKS default version' }),
  sku_tier: z.enum(AKS_SKU_TIERS).default('Standard').meta({
    description: 'AKS control plane tier; Standard carries the uptime SLA production needs.',
  }),
  node_vm_size: vmSize
    .default('Standard_D4s_v5')
    .meta({ description: 'VM size of the system node pool.' }),
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
      node_count: z.number().int().min(1).max(1000).default(1).meta({
        description: 'GPU nodes kept running (the fewest when max_node_count is higher).',
      }),
      max_node_count: z.number().int().min(1).max(1000).optional().meta({
        description:
          'Most GPU nodes the cluster autoscaler may add for pending pods; max_instances may not ask for more GPU pods than these nodes hold. @default - node_count (no autoscaling)',
      }),
    })
    .optional()
    .meta({ description: 'Add a tainted GPU node pool for the workload. @default - no GPU pool' }),
  acr_name: z
    .string()
    .regex(/^[a-zA-Z0-9]{5,50}$/, 'must be 5-50 letters or digits (ACR names are global DNS names)')
    .optional()
    .meta({
      description:
        'Container registry name, unique across Azure. @default - the deployment name without hyphens, plus 8 hex digits of a hash of subscription_id, resource group and name (stable, and unlikely to be taken)',
    }),
  namespace: z
    .string()
    .regex(
      /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
      'must be a DNS label: lowercase letters, digits and -',
    )
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
  service_port: z.number().int().min(1).max(65535).default(80).meta({
    description:
      'Port the load balancer listens on; it forwards TCP to runtime.port, which serves plain HTTP (so not 443: terminate TLS in front of it).',
  }),
  public: publicField,
  allowed_cidrs: allowedCidrsField,
  api_server_authorized_ip_ranges: z.array(cidrSchema).optional().meta({
    description:
      'Networks allowed to reach the Kubernetes API server (where Terraform and kubectl run: your office, the CI egress); required. Write 0.0.0.0/0 to leave it open to the internet. @default - none: validate asks for them',
  }),
  local_accounts: z.boolean().default(false).meta({
    description:
      'Keep the cluster admin client certificate (local accounts). Off by default: Terraform and kubectl sign in with Microsoft Entra ID through kubelogin and Azure RBAC.',
  }),
  network_policy: z.enum(AKS_NETWORK_POLICIES).default('cilium').meta({
    description:
      'Network policy engine. With cilium the workload namespace admits only traffic to the runtime port and lets pods reach only DNS; none turns both off.',
  }),
  image_pull_secret: z.string().optional().meta({
    description:
      'Key Vault secret (URL or ARM id) holding a Docker config JSON ({"auths": {...}}) to pull an image from a registry other than ACR. @default - pull from ACR with the kubelet identity',
  }),
  service_mesh_revision: z
    .string()
    .regex(/^asm-\d+-\d+$/, 'an Istio add-on revision such as asm-1-27')
    .optional()
    .meta({
      description:
        'Revision of the AKS Istio add-on (asm-1-27; `az aks mesh get-revisions -l <location>` lists the supported ones) whose internal ingress gateway routes a canary or blue-green release. Required by those strategies, unused by rolling. @default - none: validate asks for one under canary or blue-green',
    }),
  tags: tagsField,
});

export type AzureAksSpec = z.output<typeof azureAksSpecSchema>;
