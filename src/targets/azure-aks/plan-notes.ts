/**
 * The rights an AKS apply needs, said in the plan: the stacks assign roles (AcrPull for the
 * kubelet, cluster admin for whoever applies, Key Vault Secrets User for the workload identity),
 * which Contributor cannot do, and Azure says so only after the cluster has been created.
 *
 * A plan note rather than a precondition: the `azurerm_role_assignments` data source lists the
 * caller's direct assignments, but rights also come from groups, PIM activations and custom
 * roles with `Microsoft.Authorization/roleAssignments/write`, which such a check would refuse.
 */
import type { PlanSummary } from '../../terraform/plan-summary.js';

/** The built-in roles that may create role assignments. */
export const ROLE_ASSIGNMENT_ROLES =
  'Owner, User Access Administrator or Role Based Access Control Administrator';

export function aksPlanNotes(summary: PlanSummary): string[] {
  const assigned = summary.resources
    .filter(
      (resource) =>
        resource.type === 'azurerm_role_assignment' &&
        (resource.action === 'create' || resource.action === 'replace'),
    )
    .map((resource) => resource.address);
  if (assigned.length === 0) return [];
  return [
    `This apply creates role assignments (${assigned.join(', ')}): the identity running it needs ${ROLE_ASSIGNMENT_ROLES} on their scopes (the resource group, and each Key Vault); Contributor creates the cluster and then fails on the first assignment.`,
  ];
}
