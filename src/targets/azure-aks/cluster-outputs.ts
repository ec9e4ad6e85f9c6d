/**
 * What the cluster stack hands the workload stack: outputs of the cluster stack's state that the
 * workload stack reads through `terraform_remote_state` and configures its kubernetes provider
 * (and the image it names) from. Outputs of the state, not the target's `outputs`: bentoctl's
 * plumbing between the two stacks, which the user never reads.
 */
export const CLUSTER_OUTPUTS = {
  host: 'kube_host',
  clusterCaCertificate: 'kube_cluster_ca_certificate',
  /** Only with `local_accounts: true` (the admin client certificate). */
  clientCertificate: 'kube_client_certificate',
  clientKey: 'kube_client_key',
  imageRepository: 'image_repository',
  /** Only with Key Vault secrets: the identity the pods' CSI volumes sign in as. */
  workloadClientId: 'workload_identity_client_id',
  tenantId: 'workload_identity_tenant_id',
  /**
   * Only under canary or blue-green: `<namespace>/<service>` of the Istio add-on's internal
   * ingress gateway. New when the mesh is turned on, so the workload (whose Istio resources need
   * the add-on's CRDs at plan time) is planned only once the cluster stack has applied.
   */
  ingressGateway: 'ingress_gateway',
} as const;

/** The logical ID of the workload stack's `terraform_remote_state` on the cluster stack. */
export const CLUSTER_REMOTE_STATE = 'cluster';
