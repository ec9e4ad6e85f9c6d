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
  return [...roleAssignmentNotes(summary), ...releaseRoutingNotes(summary)];
}

function roleAssignmentNotes(summary: PlanSummary): string[] {
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

/** The VirtualService that routes canary and blue-green releases (release-routing.ts). */
const ROUTES_ADDRESS = 'kubernetes_manifest.virtual_service';

/**
 * Switching to or from canary / blue-green moves the endpoint between the deployment's own load
 * balancer and the Istio add-on's internal gateway: a new IP for every client, which the
 * resource list shows only as a Service changing type.
 */
function releaseRoutingNotes(summary: PlanSummary): string[] {
  const routes = summary.resources.find((resource) => resource.address === ROUTES_ADDRESS);
  if (routes?.action === 'create') {
    return [
      "This apply moves the endpoint to the Istio add-on's internal ingress gateway (a new IP address, port 80, in the VNet) and turns the deployment's own load balancer into a cluster Service: clients and DNS records of the old address must change. While the strategy is canary or blue-green, istiod and the gateway's pods run on the system node pool.",
    ];
  }
  if (routes?.action === 'delete') {
    return [
      "This apply moves the endpoint back to the deployment's own load balancer (a new IP address) and removes the release routes: clients and DNS records of the gateway's address must change.",
    ];
  }
  return [];
}
