/**
 * The outage a replacement of the GPU instance (or its group) causes, said in the plan: the
 * resource list shows a replace, not that the endpoint stops answering while the new instance
 * boots, pulls the image and loads the models.
 */
import type { PlanSummary } from '../../terraform/plan-summary.js';

/** How long a new GPU instance takes to serve: boot, image pull, model load. */
export const GPU_INSTANCE_STARTUP = '10-15 minutes';

export function ec2GpuPlanNotes(summary: PlanSummary): string[] {
  const replaced = (type: string) =>
    summary.resources.some((resource) => resource.type === type && resource.action === 'replace');
  const notes: string[] = [];
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
