/**
 * The outage a replacement of the GPU instance (or its group) causes, said in the plan: the
 * resource list shows a replace, not that the endpoint stops answering while the new instance
 * boots, pulls the image and loads the models. Under canary and blue-green, also what the
 * second group of GPU instances costs, and the outage of switching to or from them.
 */
import type { PlanSummary } from '../../terraform/plan-summary.js';

/** How long a new GPU instance takes to serve: boot, image pull, model load. */
export const GPU_INSTANCE_STARTUP = '10-15 minutes';

/** The rolling group, and the per-revision groups of canary and blue-green (revision-groups.ts). */
const ROLLING_GROUP = 'aws_autoscaling_group.autoscaling_group';
const REVISION_GROUP = 'aws_autoscaling_group.revision_autoscaling_group[';

export function ec2GpuPlanNotes(summary: PlanSummary): string[] {
  const replaced = (type: string) =>
    summary.resources.some((resource) => resource.type === type && resource.action === 'replace');
  const groups = (prefix: string, action: string) =>
    summary.resources.filter(
      (resource) =>
        (resource.address === prefix || resource.address.startsWith(prefix)) &&
        resource.action === action,
    );
  // `...revision_autoscaling_group["iris-prod-0d1e2f3a4b5c"]` → iris-prod-0d1e2f3a4b5c
  const revisionKey = (address: string) =>
    address.slice(REVISION_GROUP.length, -1).replace(/^"|"$/g, '');
  const notes: string[] = [];
  const switching =
    (groups(ROLLING_GROUP, 'delete').length > 0 && groups(REVISION_GROUP, 'create').length > 0) ||
    (groups(REVISION_GROUP, 'delete').length > 0 && groups(ROLLING_GROUP, 'create').length > 0);
  if (switching) {
    notes.push(
      `The release strategy changes between rolling and canary/blue-green, which replaces the instance group: the old group's instances are terminated while the new group boots, so the endpoint does not answer for about ${GPU_INSTANCE_STARTUP}. Apply this change alone, when that outage is acceptable.`,
    );
  } else {
    const kept = [...groups(REVISION_GROUP, 'no-op'), ...groups(REVISION_GROUP, 'update')].map(
      (resource) => revisionKey(resource.address),
    );
    for (const started of groups(REVISION_GROUP, 'create')) {
      if (kept.length === 0) continue;
      notes.push(
        `A group of GPU instances for revision ${revisionKey(started.address)} starts beside ${kept.join(', ')}: both run (and bill) until \`bentoctl release promote\` or \`release abort\`; a canary's candidate keeps its share of min_instances (at least one instance), a blue-green candidate keeps min_instances. Its instances take about ${GPU_INSTANCE_STARTUP} to serve, and apply waits for them.`,
      );
    }
  }
  if (replaced('aws_instance')) {
    notes.push(
      `The single GPU instance is replaced: the new one starts before the old one is terminated, but the endpoint does not answer for about ${GPU_INSTANCE_STARTUP}, until the new instance has pulled the image and loaded its models, and a private instance's address changes. Scale to max_instances >= 2 (a load balancer and rolling instance refresh) to avoid the outage.`,
    );
  }
  if (replaced('aws_autoscaling_group')) {
    notes.push(
      `The Auto Scaling group is replaced: its instances are terminated with it, and the endpoint does not answer until the new group's instances pass their health checks, about ${GPU_INSTANCE_STARTUP}.`,
    );
  }
  return notes;
}
