/**
 * aws-ec2-gpu live status: Auto Scaling DescribeAutoScalingGroups (sizes, instances, launch
 * template version each runs), DescribeScalingActivities (the last launches and terminations,
 * failures first) and ELBv2 DescribeTargetHealth on the group's target groups. A deployment with
 * max_instances 1 is a lone instance without a group, which these APIs do not describe.
 */
import type {
  DescribeAutoScalingGroupsCommandOutput,
  DescribeScalingActivitiesCommandOutput,
} from '@aws-sdk/client-auto-scaling';
import { BentoctlError } from '../errors/index.js';
import { awsCallError, type AwsClientLike } from './aws-errors.js';
import type { AwsDeploymentNames } from './aws-names.js';
import { targetHealth } from './ecs-status.js';
import {
  latestEvents,
  notFound,
  type LiveEvent,
  type LiveInstance,
  type LiveRevision,
  type LiveStatus,
} from './live-status.js';

export interface Ec2StatusOptions {
  readonly region: string;
  readonly names: AwsDeploymentNames;
  /** max_instances > 1: an Auto Scaling group behind a load balancer. */
  readonly scaled: boolean;
  readonly autoScaling?: AwsClientLike;
  readonly elb?: AwsClientLike;
}

export async function ec2Status(options: Ec2StatusOptions): Promise<LiveStatus> {
  const group = options.names.autoScalingGroup;
  const source = `Auto Scaling group ${group} (${options.region})`;
  if (!options.scaled) {
    return notFound(
      `the single instance ${group} (${options.region})`,
      'max_instances is 1: one instance without an Auto Scaling group; its status is the health probe (the EC2 API is not queried)',
    );
  }
  const sdk = await import('@aws-sdk/client-auto-scaling');
  const client = options.autoScaling ?? new sdk.AutoScalingClient({ region: options.region });
  const resource = `the Auto Scaling group ${group} in ${options.region}`;
  let described: DescribeAutoScalingGroupsCommandOutput;
  try {
    described = (await client.send(
      new sdk.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }),
    )) as DescribeAutoScalingGroupsCommandOutput;
  } catch (error) {
    throw awsCallError(
      {
        api: 'Auto Scaling DescribeAutoScalingGroups',
        resource,
        action: 'autoscaling:DescribeAutoScalingGroups',
      },
      error,
    );
  }
  const found = described.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === group);
  if (found === undefined) {
    return notFound(
      source,
      `Auto Scaling has no group ${group} in ${options.region}: not applied?`,
    );
  }

  let activities: DescribeScalingActivitiesCommandOutput;
  try {
    activities = (await client.send(
      new sdk.DescribeScalingActivitiesCommand({ AutoScalingGroupName: group, MaxRecords: 10 }),
    )) as DescribeScalingActivitiesCommandOutput;
  } catch (error) {
    throw awsCallError(
      {
        api: 'Auto Scaling DescribeScalingActivities',
        resource,
        action: 'autoscaling:DescribeScalingActivities',
      },
      error,
    );
  }
  const events: LiveEvent[] = (activities.Activities ?? []).map((activity) => ({
    time: (activity.EndTime ?? activity.StartTime)?.toISOString() ?? null,
    severity:
      activity.StatusCode === 'Failed' || activity.StatusCode === 'Cancelled' ? 'error' : 'info',
    message: [activity.Description, activity.StatusCode, activity.StatusMessage]
      .filter((part) => part !== undefined && part !== '')
      .join(': '),
  }));

  const versionOf = (instance: { LaunchTemplate?: { Version?: string } }) =>
    `launch template version ${instance.LaunchTemplate?.Version ?? '?'}`;
  const instances: LiveInstance[] = (found.Instances ?? []).map((instance) => ({
    id: instance.InstanceId ?? '?',
    state: instance.LifecycleState ?? 'unknown',
    health: instance.HealthStatus ?? null,
    revision: versionOf(instance),
  }));
  const byVersion = new Map<string, number>();
  for (const instance of instances) {
    if (instance.revision !== null)
      byVersion.set(instance.revision, (byVersion.get(instance.revision) ?? 0) + 1);
  }
  const revisions: LiveRevision[] = [...byVersion].map(([id, running]) => ({
    id,
    image: null,
    bentoVersion: null,
    desired: null,
    running,
    trafficPercent: null,
    role: 'instances',
  }));

  const notes: string[] = [
    'image and bento version per instance are in the launch template version (the EC2 API is not queried)',
  ];
  const healthById = new Map<string, string | null>();
  for (const arn of found.TargetGroupARNs ?? []) {
    try {
      for (const target of await targetHealth(options, arn))
        healthById.set(target.id.split(':')[0] ?? target.id, target.health);
    } catch (error) {
      if (!(error instanceof BentoctlError)) throw error;
      notes.push(`target health not read: ${error.message} ${error.hint ?? ''}`.trim());
    }
  }
  const refresh = found.Status;
  return {
    source,
    found: true,
    desired: found.DesiredCapacity ?? null,
    running: instances.filter((instance) => instance.state === 'InService').length,
    rollout: refresh ?? (byVersion.size > 1 ? 'instance refresh in progress' : 'steady'),
    revisions,
    instances: instances.map((instance) => ({
      ...instance,
      health: healthById.has(instance.id)
        ? `${instance.health ?? '-'}; load balancer: ${healthById.get(instance.id) ?? '-'}`
        : instance.health,
    })),
    events: latestEvents(events),
    notes,
  };
}
