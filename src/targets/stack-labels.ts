/**
 * The labels every target puts on every resource that takes them. One map serves AWS tags,
 * Azure tags, GCP labels and Kubernetes labels, so keys and values follow the strictest of those
 * rules (GCP/Kubernetes): lowercase letters, digits, `_` and `-`, at most 63 characters, starting
 * and ending with a letter or digit.
 */

/** The longest GCP or Kubernetes label key or value. */
const MAX_LABEL_LENGTH = 63;

export interface LabelSource {
  /** The deployment name (already DNS-safe). */
  readonly deployment: string;
  /** The bento's service name, e.g. `iris_classifier`. */
  readonly bentoName: string;
  /** Content hash of the bento. */
  readonly bentoVersion: string;
}

/** Every label bentoctl sets: the deployment's and the bento's (the keys users may not reuse). */
export function stackLabels(source: LabelSource): Record<string, string> {
  return { ...bentoLabels(source), ...deploymentLabels(source.deployment) };
}

/**
 * The labels that change with every release. Only the resources that run the bento carry them
 * (task definition and service, instance or launch template, revision, deployment): on every
 * resource, through provider default tags, a release would update some 35 resources' tags.
 */
export function bentoLabels(
  source: Pick<LabelSource, 'bentoName' | 'bentoVersion'>,
): Record<string, string> {
  return {
    'bento-name': labelValue(source.bentoName),
    'bento-version': labelValue(source.bentoVersion),
  };
}

/**
 * The labels that do not depend on the bento: what a resource bentoctl creates outside the
 * stack (a registry created on first push) carries until the stack's first apply adds the rest.
 */
export function deploymentLabels(deployment: string): Record<string, string> {
  return { deployment: labelValue(deployment), 'managed-by': 'bentoctl' };
}

/** Lowercases, replaces characters GCP and Kubernetes refuse with `-`, and cuts to 63. */
export function labelValue(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .slice(0, MAX_LABEL_LENGTH)
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
}
