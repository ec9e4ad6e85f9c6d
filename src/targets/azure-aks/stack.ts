/**
 * Terraform for the azure-aks target, in two stacks that bentoctl plans and applies in order
 * (and destroys in reverse; src/deploy/deployment-stacks.ts):
 *
 * - `cluster` (cluster-stack.ts): resource group, Log Analytics, the cluster and its node pools,
 *   the registry, and the role assignments, through azurerm;
 * - `workload` (workload-stack.ts): the Kubernetes resources, through a kubernetes provider
 *   configured from the cluster stack's outputs in its state (`terraform_remote_state`).
 *
 * In one stack the kubernetes provider would be configured from a cluster created or replaced in
 * the same plan: unknown at plan time, so the provider falls back to localhost. Apart, the
 * workload is planned against a cluster that exists, and bentoctl plans it only after applying a
 * cluster plan that changes what the workload reads.
 */
import type { SynthInput } from '../synthesizer.js';
import { synthesizeAksCluster } from './cluster-stack.js';
import type { AzureAksSpec } from './spec.js';
import { synthesizeAksWorkload } from './workload-stack.js';

/** The azure-aks `Synthesizer` (its definition loads it): the stack named by `input.part`. */
export function synthesizeAzureAks(input: SynthInput<AzureAksSpec>): void {
  switch (input.part) {
    case 'cluster':
      synthesizeAksCluster(input);
      return;
    case 'workload':
      synthesizeAksWorkload(input);
      return;
    default:
      throw new Error(`azure-aks has no stack ${String(input.part)}`);
  }
}
