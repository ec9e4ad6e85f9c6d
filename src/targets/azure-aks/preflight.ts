import { checkInstanceBounds, checkPublicNeedsCidrs } from '../common/spec-fields.js';
import { stackLabels } from '../stack-labels.js';
import type { PreflightContext, SpecIssue } from '../target.js';
import { allocatableMillicores } from './node-capacity.js';
import type { AzureAksSpec } from './spec.js';
import { checkAzureTags } from './tags.js';

/** N-series (NC, ND, NV) are Azure's GPU VM families. */
const GPU_VM_SIZE = /^Standard_N[CDV]/;

/** The tag names bentoctl puts on every resource; a user tag may not replace them. */
const RESERVED_TAGS = Object.keys(
  stackLabels({ deployment: 'd', bentoName: 'b', bentoVersion: 'v' }),
);

/** AKS rules across fields: GPU pools need GPU sizes, a GPU runtime needs a GPU pool, pods must fit. */
export function preflightAzureAks(spec: AzureAksSpec, context: PreflightContext): SpecIssue[] {
  const issues: SpecIssue[] = [
    ...checkInstanceBounds(spec),
    ...checkPublicNeedsCidrs(spec),
    ...checkAzureTags(spec.tags, RESERVED_TAGS),
    ...checkPodFitsNode(spec, context),
  ];
  if (spec.gpu_node_pool !== undefined && !GPU_VM_SIZE.test(spec.gpu_node_pool.vm_size)) {
    issues.push({
      path: ['gpu_node_pool', 'vm_size'],
      message: `${spec.gpu_node_pool.vm_size} is not a GPU VM size; use an NC, ND or NV series size`,
      suggestion: 'Standard_NC4as_T4_v3',
    });
  }
  if (context.runtime.device === 'gpu' && spec.gpu_node_pool === undefined) {
    issues.push({
      path: ['gpu_node_pool'],
      message:
        'runtime.device is gpu but no gpu_node_pool is configured, so pods could not schedule',
      suggestion: '{} (a GPU pool with the default size)',
    });
  }
  if (context.runtime.device === 'cpu' && spec.gpu_node_pool !== undefined) {
    issues.push({
      path: ['gpu_node_pool'],
      message:
        'gpu_node_pool is set but runtime.device is cpu, so the GPU nodes would sit idle; set runtime.device: gpu or remove gpu_node_pool',
    });
  }
  return issues;
}

/** A pod asking for more CPU than one node of its pool can give stays Pending forever. */
function checkPodFitsNode(spec: AzureAksSpec, context: PreflightContext): SpecIssue[] {
  const onGpu = context.runtime.device === 'gpu' && spec.gpu_node_pool !== undefined;
  const vmSize = onGpu && spec.gpu_node_pool ? spec.gpu_node_pool.vm_size : spec.node_vm_size;
  const allocatable = allocatableMillicores(vmSize);
  if (allocatable === undefined || spec.cpu_millicores <= allocatable) return [];
  return [
    {
      path: ['cpu_millicores'],
      message: `a pod asks for ${spec.cpu_millicores}m CPU but a ${vmSize} node has at most ${allocatable}m for pods; lower cpu_millicores or pick a larger ${onGpu ? 'gpu_node_pool.vm_size' : 'node_vm_size'}`,
      suggestion: String(Math.floor(allocatable / 100) * 100),
    },
  ];
}
