/**
 * A pause between granting access and the first resource that uses it. IAM changes on Google
 * Cloud take effect within about two minutes, up to seven in rare cases
 * (https://cloud.google.com/iam/docs/access-change-propagation); Azure role assignments take up
 * to a few minutes too (https://learn.microsoft.com/azure/role-based-access-control/troubleshooting).
 * The service that checks access at create time (a Cloud Run revision, the AKS API server) can
 * fail on access that exists a minute later.
 *
 * Neither the google nor the azurerm provider has a wait resource, and bentoctl pins no `time`
 * provider, so this is Terraform's built-in `terraform_data` with a `local-exec` `sleep` (a POSIX
 * shell on the machine running Terraform: Linux and macOS runners). It runs only when it is
 * created or replaced, i.e. when one of the resources it lists is added or replaced, never on a
 * release that changes only the image.
 */
import { DataResource } from 'cdktf';
import type { TerraformResource } from 'cdktf';
import type { Construct } from 'constructs';

export function addPropagationWait(
  scope: Construct,
  props: {
    readonly id: string;
    readonly seconds: number;
    readonly after: readonly TerraformResource[];
  },
): DataResource | undefined {
  if (props.after.length === 0) return undefined;
  return new DataResource(scope, props.id, {
    // Replaced (and so run again) whenever one of the resources is replaced or added.
    triggersReplace: Object.fromEntries(
      props.after.map((resource) => [resource.friendlyUniqueId, resource.getStringAttribute('id')]),
    ),
    provisioners: [{ type: 'local-exec', command: `sleep ${props.seconds}` }],
    dependsOn: [...props.after],
  });
}
