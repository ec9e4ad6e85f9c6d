/**
 * A pause between granting access and creating the revision that uses it. IAM changes take
 * effect within about two minutes, up to seven in rare cases
 * (https://cloud.google.com/iam/docs/access-change-propagation), and Cloud Run checks secret
 * and image access when it creates a revision: the first revision right after the grants (or
 * right after enabling the APIs, which creates the service agent) can fail on access that
 * exists a minute later.
 *
 * The google provider has no wait resource, and bentoctl pins no `time` provider, so this is
 * Terraform's built-in `terraform_data` with a `local-exec` `sleep` (a POSIX shell on the machine
 * running Terraform: Linux and macOS runners). It runs only when it is created or replaced,
 * i.e. when the grants or enabled APIs it lists change, never on a release that changes only the
 * image.
 */
import { DataResource } from 'cdktf';
import type { TerraformResource } from 'cdktf';
import type { Construct } from 'constructs';

/** How long the first revision waits after new grants. */
export const IAM_PROPAGATION_SECONDS = 120;

export function addIamPropagationWait(
  scope: Construct,
  props: { readonly after: readonly TerraformResource[] },
): DataResource | undefined {
  if (props.after.length === 0) return undefined;
  return new DataResource(scope, 'iam_propagation', {
    // Replaced (and so run again) whenever one of the grants or APIs is replaced or added.
    triggersReplace: Object.fromEntries(
      props.after.map((resource) => [resource.friendlyUniqueId, resource.getStringAttribute('id')]),
    ),
    provisioners: [{ type: 'local-exec', command: `sleep ${IAM_PROPAGATION_SECONDS}` }],
    dependsOn: [...props.after],
  });
}
