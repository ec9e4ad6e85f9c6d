/**
 * A provider-free stand-in for the google-cloud-run stack's traffic part: the `bentoctl_traffic`
 * variable with the real stack's type (its default gives the revision all traffic, tagged
 * `candidate`), `terraform_data` resources for the service and the split, and the endpoint and
 * candidate_endpoint outputs that apply, promote and abort wait on.
 */
export interface TrafficStandIn {
  /** The local backend's state file. */
  readonly statePath: string;
  readonly image: string;
  readonly revision: string;
  readonly endpoint: string;
  readonly candidateEndpoint: string;
  /** More outputs beside endpoint and candidate_endpoint. @default none */
  readonly outputs?: Record<string, { readonly value: unknown }>;
}

/** Terraform JSON of the stand-in. */
export function trafficStandInStack(stand: TrafficStandIn): Record<string, unknown> {
  return {
    terraform: { backend: { local: { path: stand.statePath } } },
    variable: {
      bentoctl_traffic: {
        type: 'list(object({ revision = string, percent = number, tag = optional(string) }))',
        default: [{ revision: stand.revision, percent: 100, tag: 'candidate' }],
      },
    },
    resource: {
      terraform_data: {
        service: { input: { image: stand.image, revision: stand.revision } },
        traffic: { input: '${var.bentoctl_traffic}' },
      },
    },
    output: {
      endpoint: { value: stand.endpoint },
      candidate_endpoint: { value: stand.candidateEndpoint },
      ...stand.outputs,
    },
  };
}
