import { checkInstanceBounds, checkPublicNeedsCidrs } from '../common/spec-fields.js';
import type { PreflightContext, SpecIssue } from '../target.js';
import type { AzureAksSpec } from './spec.js';

/** N-series (NC, ND, NV) are Azure's GPU VM families. */
const GPU_VM_SIZE = /^Standard_N[CDV]/;

/** AKS rules across fields: GPU pools need GPU sizes, and a GPU runtime needs a GPU pool. */
export function preflightAzureAks(spec: AzureAksSpec, context: PreflightContext): SpecIssue[] {
  const issues: SpecIssue[] = [...checkInstanceBounds(spec), ...checkPublicNeedsCidrs(spec)];
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
      message: 'runtime.device is gpu but no gpu_node_pool is configured, so pods could not schedule',
      suggestion: '{} (a GPU pool with the default size)',
    });
  }
  return issues;
}
