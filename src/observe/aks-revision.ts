/**
 * azure-aks: which of the workload's two Deployments a ReplicaSet or pod belongs to, and the one
 * name of its revision that `status` shows and `logs --revision` takes. Each Deployment numbers
 * its revisions from 1 (the `deployment.kubernetes.io/revision` annotation), so the stable
 * Deployment and a release's candidate (`<workload>-candidate`,
 * src/targets/azure-aks/release-routing.ts) both have a revision 1: the stable Deployment's
 * revisions keep the bare number they had before releases existed, and the candidate's are
 * `<workload>-candidate:<number>`, the Deployment named as an aws-ecs revision names its task
 * definition family (`iris-prod:7`). */
import { errors } from '../errors/index.js';
import { candidateName } from '../targets/azure-aks/names.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
const NAME_LABEL = 'app.kubernetes.io/name';
const INSTANCE_LABEL = 'app.kubernetes.io/instance';

/** One Deployment of the workload: `stable` is `<workload>`, `candidate` `<workload>-candidate`. */
export type DeploymentRole = 'stable' | 'candidate';

/** Both Deployments' names, the stable one first. */
export function workloadDeployments(
  workload: string,
): readonly { readonly role: DeploymentRole; readonly name: string }[] {
  return [
    { role: 'stable', name: workload },
    { role: 'candidate', name: candidateName(workload) },
  ];
}

/**
 * The pods (and ReplicaSets) of both Deployments in one list request: each Deployment's pods
 * carry its name as `app.kubernetes.io/name` and `app.kubernetes.io/instance`.
 */
export function workloadSelector(workload: string): string {
  const names = workloadDeployments(workload)
    .map((deployment) => deployment.name)
    .join(',');
  return encodeURIComponent(`${NAME_LABEL} in (${names}),${INSTANCE_LABEL} in (${names})`);
}

/**
 * The Deployment a ReplicaSet or pod belongs to: each Deployment's selector, and so its pod
 * template, has its name as `app.kubernetes.io/instance`.
 */
export function owningDeployment(
  metadata: { readonly labels?: Readonly<Record<string, string>> } | undefined,
): string | undefined {
  return metadata?.labels?.[INSTANCE_LABEL];
}

/** `4` for the stable Deployment's revision 4, `iris-prod-candidate:1` for the candidate's 1. */
export function revisionKey(workload: string, deployment: string, revision: string): string {
  return deployment === workload ? revision : `${deployment}:${revision}`;
}

/**
 * `--revision` as a revision key: `4` or `iris-prod:4` (the stable Deployment), or
 * `iris-prod-candidate:1`; anything else is refused rather than matching no pod.
 */
export function revisionFilter(value: string, workload: string): string {
  const match = /^(?:(.+):)?(\d+)$/.exec(value);
  const deployment = match?.[1] ?? workload;
  const names = workloadDeployments(workload).map((known) => known.name);
  if (match === null || !names.includes(deployment)) {
    throw errors.flagInvalid(
      'revision',
      value,
      `a Deployment revision: 4 or ${workload}:4 for the stable Deployment, ${candidateName(workload)}:1 for a release's candidate`,
    );
  }
  return revisionKey(workload, deployment, match[2] ?? '');
}
