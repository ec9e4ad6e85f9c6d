/**
 * A provider-free stand-in for the aws-ecs blue-green stack's approval part: the
 * `bentoctl_approval` variable with the real stack's type (its default approves the revision),
 * rendered into the approval parameter as the stack's SSM parameter holds it, a
 * `terraform_data` for the service, and the outputs apply, promote and abort read: `endpoint`,
 * `approval_parameter`, and `candidate_endpoint` when the stack has a test listener.
 */
export interface ApprovalStandIn {
  /** The local backend's state file. */
  readonly statePath: string;
  readonly image: string;
  readonly revision: string;
  readonly endpoint: string;
  /** The test listener's URL; a stack generated before it had one has none. @default none */
  readonly candidateEndpoint?: string;
}

/** Terraform JSON of the stand-in. */
export function approvalStandInStack(stand: ApprovalStandIn): Record<string, unknown> {
  return {
    terraform: { backend: { local: { path: stand.statePath } } },
    variable: {
      bentoctl_approval: {
        type: 'object({ approved = string, rejected = string })',
        default: { approved: stand.revision, rejected: '' },
      },
    },
    resource: {
      terraform_data: {
        service: { input: { image: stand.image, revision: stand.revision } },
        approval_parameter: { input: '${jsonencode(var.bentoctl_approval)}' },
      },
    },
    output: {
      endpoint: { value: stand.endpoint },
      ...(stand.candidateEndpoint === undefined
        ? {}
        : { candidate_endpoint: { value: stand.candidateEndpoint } }),
      approval_parameter: { value: '${terraform_data.approval_parameter.output}' },
    },
  };
}
