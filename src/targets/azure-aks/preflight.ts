import { checkInstanceBounds, checkPublicNeedsCidrs } from '../common/spec-fields.js';
import { stackLabels } from '../stack-labels.js';
import type { PreflightContext, SpecIssue } from '../target.js';
import { gpusPerNode } from './gpu-capacity.js';
import { KEY_VAULT_REFERENCE_FORM, parseKeyVaultReference } from './key-vault-reference.js';
import { allocatableMillicores } from './node-capacity.js';
import { INGRESS_GATEWAY_HTTP_PORT } from './ingress-gateway.js';
import { candidateMaxReplicas } from './candidate-size.js';
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
    ...checkGpuPoolHoldsPods(spec, context),
    ...checkAccess(spec),
    ...checkReleaseRouting(spec, context),
  ];
  const { grpc } = context.runtime;
  if (grpc.enabled && grpc.port === spec.service_port) {
    // The Service listens on service_port for HTTP and on runtime.grpc.port for gRPC.
    issues.push({
      path: ['service_port'],
      message: `the load balancer would listen on ${grpc.port} for both HTTP (service_port) and gRPC (runtime.grpc.port); give one of them another port`,
    });
  }
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

/**
 * The HPA may ask for max_instances GPU pods; beyond what the pool's nodes hold (with the
 * cluster autoscaler, at its max_node_count) they would stay Pending.
 */
function checkGpuPoolHoldsPods(spec: AzureAksSpec, context: PreflightContext): SpecIssue[] {
  const pool = spec.gpu_node_pool;
  // A pool of a CPU size is reported on its own above.
  if (pool === undefined || context.runtime.device !== 'gpu' || !GPU_VM_SIZE.test(pool.vm_size)) {
    return [];
  }
  const maxNodes = pool.max_node_count ?? pool.node_count;
  if (maxNodes < pool.node_count) {
    return [
      {
        path: ['gpu_node_pool', 'max_node_count'],
        message: `max_node_count ${maxNodes} is below node_count ${pool.node_count}; the autoscaler scales between the two`,
        suggestion: String(pool.node_count),
      },
    ];
  }
  const perNode = gpusPerNode(pool.vm_size);
  const capacity = maxNodes * perNode;
  // A canary or blue-green candidate runs its own GPU pods beside the stable ones.
  const candidatePods =
    context.release.strategy === 'rolling' ? 0 : candidateMaxReplicas(spec, context.release);
  const pods = spec.max_instances + candidatePods;
  if (pods <= capacity) return [];
  const nodesNeeded = Math.ceil(pods / perNode);
  const asked =
    candidatePods === 0
      ? `max_instances ${spec.max_instances} GPU pods`
      : `max_instances ${spec.max_instances} GPU pods and up to ${candidatePods} of the ${context.release.strategy} candidate`;
  return [
    {
      path: ['max_instances'],
      message: `${asked} need ${nodesNeeded} ${pool.vm_size} nodes (one GPU each pod, ${perNode} per node), but the GPU pool has at most ${maxNodes}; lower max_instances or raise gpu_node_pool.max_node_count (the cluster autoscaler adds nodes for pending pods)`,
      suggestion: String(Math.max(1, capacity - candidatePods)),
    },
  ];
}

/**
 * Canary and blue-green route through the Istio add-on's internal ingress gateway
 * (release-routing.ts): it needs an add-on revision, listens on port 80 inside the VNet, and its
 * load balancer, which AKS manages, takes no source ranges.
 */
function checkReleaseRouting(spec: AzureAksSpec, context: PreflightContext): SpecIssue[] {
  const strategy = context.release.strategy;
  if (strategy === 'rolling') return [];
  const issues: SpecIssue[] = [];
  if (spec.service_mesh_revision === undefined) {
    issues.push({
      path: ['service_mesh_revision'],
      message: `a ${strategy} release is routed by the AKS Istio add-on's ingress gateway, which needs a revision; set service_mesh_revision to one that \`az aks mesh get-revisions -l ${spec.location}\` lists, or use rolling`,
      suggestion: 'asm-1-27',
    });
  }
  if (spec.public) {
    issues.push({
      path: ['public'],
      message: `a ${strategy} release is served by the cluster's internal ingress gateway, reachable from the VNet only; remove public (put Application Gateway or Front Door in front for the internet), or use rolling`,
      suggestion: 'false',
    });
  } else if (spec.allowed_cidrs.length > 0) {
    issues.push({
      path: ['allowed_cidrs'],
      message: `a ${strategy} release is served by the Istio add-on's ingress gateway, whose load balancer AKS manages and takes no source ranges, so allowed_cidrs would not be enforced; leave it empty (the endpoint answers inside the VNet only; limit it with network security group rules on the subnet), or use rolling`,
      suggestion: '[]',
    });
  }
  if (spec.service_port !== INGRESS_GATEWAY_HTTP_PORT) {
    issues.push({
      path: ['service_port'],
      message: `a ${strategy} release is served by the ingress gateway's plain HTTP port ${INGRESS_GATEWAY_HTTP_PORT}, not ${spec.service_port}; use ${INGRESS_GATEWAY_HTTP_PORT}, or rolling`,
      suggestion: String(INGRESS_GATEWAY_HTTP_PORT),
    });
  }
  return issues;
}

/** Who can reach the API server and the endpoint, and with what. */
function checkAccess(spec: AzureAksSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  if ((spec.api_server_authorized_ip_ranges ?? []).length === 0) {
    issues.push({
      path: ['api_server_authorized_ip_ranges'],
      message:
        'the Kubernetes API server would accept connections from the whole internet; list the networks Terraform and kubectl connect from (office, VPN or CI egress ranges), or write 0.0.0.0/0 to leave it open on purpose',
      suggestion: '[203.0.113.0/24]',
    });
  }
  if (spec.service_port === 443) {
    issues.push({
      path: ['service_port'],
      message:
        'the load balancer passes TCP through and the runtime serves plain HTTP, so clients of port 443 expecting TLS would fail; use 80 (or another port) and terminate TLS in front (Application Gateway, an ingress controller)',
      suggestion: '80',
    });
  }
  if (
    spec.image_pull_secret !== undefined &&
    parseKeyVaultReference(spec.image_pull_secret) === undefined
  ) {
    issues.push({
      path: ['image_pull_secret'],
      message: `image_pull_secret must be ${KEY_VAULT_REFERENCE_FORM}`,
    });
  }
  return issues;
}
