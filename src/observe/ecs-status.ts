/**
 * aws-ecs live status: ECS DescribeServices (counts, deployments with their rollout state,
 * service events), DescribeTaskDefinition per deployment (image and `bento-version` tag),
 * ListTasks and DescribeTasks for why recent tasks stopped, and
 * ELBv2 DescribeTargetHealth on the service's target group. The SDKs load only here.
 */
import type {
  DescribeServicesCommandOutput,
  DescribeTaskDefinitionCommandOutput,
  DescribeTasksCommandOutput,
  ListTasksCommandOutput,
} from '@aws-sdk/client-ecs';
import type { DescribeTargetHealthCommandOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { BentoctlError } from '../errors/index.js';
import { awsCallError, type AwsClientLike } from './aws-errors.js';
import type { AwsDeploymentNames } from './aws-names.js';
import {
  BENTO_VERSION_LABEL,
  latestEvents,
  notFound,
  type LiveEvent,
  type LiveInstance,
  type LiveRevision,
  type LiveStatus,
} from './live-status.js';

export interface EcsStatusOptions {
  readonly region: string;
  readonly names: AwsDeploymentNames;
  readonly ecs?: AwsClientLike;
  readonly elb?: AwsClientLike;
}

/** ECS service events that report a failure, by their documented wording. */
const FAILURE_WORDS = /unable|failed|unhealthy|error|circuit breaker|rolling back|insufficient/i;

export async function ecsStatus(options: EcsStatusOptions): Promise<LiveStatus> {
  const ecsSdk = await import('@aws-sdk/client-ecs');
  const ecs = options.ecs ?? new ecsSdk.ECSClient({ region: options.region });
  const { cluster, service: serviceName } = options.names;
  const source = `ECS service ${serviceName} in cluster ${cluster} (${options.region})`;
  const resource = `the service ${serviceName} in cluster ${cluster} (${options.region})`;

  let described: DescribeServicesCommandOutput;
  try {
    described = (await ecs.send(
      new ecsSdk.DescribeServicesCommand({ cluster, services: [serviceName] }),
    )) as DescribeServicesCommandOutput;
  } catch (error) {
    if (error instanceof Error && error.name === 'ClusterNotFoundException') {
      return notFound(source, `ECS has no cluster ${cluster} in ${options.region}: not applied?`);
    }
    throw awsCallError(
      { api: 'ECS DescribeServices', resource, action: 'ecs:DescribeServices' },
      error,
    );
  }
  const service = described.services?.find((found) => found.serviceName === serviceName);
  if (service === undefined || service.status === 'INACTIVE') {
    return notFound(
      source,
      `ECS has no active service ${serviceName} in cluster ${cluster}: not applied?`,
    );
  }

  const notes: string[] = [];
  const revisions: LiveRevision[] = [];
  for (const deployment of service.deployments ?? []) {
    const arn = deployment.taskDefinition ?? '';
    const definition = await describeTaskDefinition(ecs, ecsSdk, arn, resource);
    const container = definition.taskDefinition?.containerDefinitions?.[0];
    revisions.push({
      id: arn.split('/').pop() ?? arn,
      image: container?.image ?? null,
      bentoVersion: definition.tags?.find((tag) => tag.key === BENTO_VERSION_LABEL)?.value ?? null,
      desired: deployment.desiredCount ?? null,
      running: deployment.runningCount ?? null,
      // ECS sends a service's requests to every running task alike, old and new.
      trafficPercent: null,
      role: [
        deployment.status === 'PRIMARY' ? 'primary' : 'draining',
        deployment.rolloutState?.toLowerCase(),
        deployment.failedTasks ? `${deployment.failedTasks} failed tasks` : undefined,
      ]
        .filter((part) => part !== undefined)
        .join(', '),
    });
  }

  const events: LiveEvent[] = (service.events ?? []).map((event) => ({
    time: event.createdAt?.toISOString() ?? null,
    severity: FAILURE_WORDS.test(event.message ?? '') ? 'error' : 'info',
    message: event.message ?? '',
  }));
  const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  if (primary?.rolloutState === 'FAILED') {
    events.push({
      time: primary.updatedAt?.toISOString() ?? null,
      severity: 'error',
      message: `rollout failed: ${primary.rolloutStateReason ?? 'no reason given'}`,
    });
  }

  try {
    events.push(...(await stoppedTaskEvents(ecs, ecsSdk, options.names, resource)));
  } catch (error) {
    if (!(error instanceof BentoctlError)) throw error;
    notes.push(`stopped tasks not read: ${error.message} ${error.hint ?? ''}`.trim());
  }

  const instances: LiveInstance[] = [];
  const targetGroupArn = service.loadBalancers?.[0]?.targetGroupArn;
  if (targetGroupArn !== undefined) {
    try {
      instances.push(...(await targetHealth(options, targetGroupArn)));
    } catch (error) {
      // The service's own status is worth showing without the load balancer's verdict.
      if (!(error instanceof BentoctlError)) throw error;
      notes.push(`target health not read: ${error.message} ${error.hint ?? ''}`.trim());
    }
  }

  return {
    source,
    found: true,
    desired: service.desiredCount ?? null,
    running: service.runningCount ?? null,
    rollout: primary?.rolloutState ?? null,
    revisions,
    instances,
    events: latestEvents(events),
    notes,
  };
}

async function describeTaskDefinition(
  ecs: AwsClientLike,
  sdk: typeof import('@aws-sdk/client-ecs'),
  arn: string,
  resource: string,
): Promise<DescribeTaskDefinitionCommandOutput> {
  try {
    return (await ecs.send(
      new sdk.DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }),
    )) as DescribeTaskDefinitionCommandOutput;
  } catch (error) {
    throw awsCallError(
      {
        api: 'ECS DescribeTaskDefinition',
        resource: `the task definition ${arn} of ${resource}`,
        action: 'ecs:DescribeTaskDefinition',
      },
      error,
    );
  }
}

/**
 * Why recent tasks stopped (ECS keeps stopped tasks for about an hour): a failing image pull or
 * a crashing container shows here before the service events say more than "unhealthy".
 */
async function stoppedTaskEvents(
  ecs: AwsClientLike,
  sdk: typeof import('@aws-sdk/client-ecs'),
  names: AwsDeploymentNames,
  resource: string,
): Promise<LiveEvent[]> {
  let taskArns: string[];
  try {
    const listed = (await ecs.send(
      new sdk.ListTasksCommand({
        cluster: names.cluster,
        serviceName: names.service,
        desiredStatus: 'STOPPED',
        maxResults: 10,
      }),
    )) as ListTasksCommandOutput;
    taskArns = listed.taskArns ?? [];
  } catch (error) {
    throw awsCallError({ api: 'ECS ListTasks', resource, action: 'ecs:ListTasks' }, error);
  }
  if (taskArns.length === 0) return [];
  let described: DescribeTasksCommandOutput;
  try {
    described = (await ecs.send(
      new sdk.DescribeTasksCommand({ cluster: names.cluster, tasks: taskArns }),
    )) as DescribeTasksCommandOutput;
  } catch (error) {
    throw awsCallError({ api: 'ECS DescribeTasks', resource, action: 'ecs:DescribeTasks' }, error);
  }
  return (described.tasks ?? []).map((task) => {
    const containers = (task.containers ?? [])
      .filter((container) => container.exitCode !== undefined || container.reason !== undefined)
      .map((container) =>
        `container ${container.name ?? '?'} ${container.exitCode === undefined ? '' : `exit ${container.exitCode}`}${container.reason === undefined ? '' : ` (${container.reason})`}`.trim(),
      );
    const failed =
      task.stopCode !== 'ServiceSchedulerInitiated' ||
      (task.containers ?? []).some((container) => (container.exitCode ?? 0) !== 0);
    return {
      time: task.stoppedAt?.toISOString() ?? null,
      severity: failed ? 'error' : 'info',
      message: `task ${task.taskArn?.split('/').pop() ?? '?'} (${task.taskDefinitionArn?.split('/').pop() ?? '?'}) stopped: ${task.stoppedReason ?? task.stopCode ?? 'no reason given'}${containers.length > 0 ? `; ${containers.join('; ')}` : ''}`,
    } satisfies LiveEvent;
  });
}

/** ELBv2's verdict on each registered target; shared with aws-ec2-gpu. */
export async function targetHealth(
  options: { readonly region: string; readonly elb?: AwsClientLike | undefined },
  targetGroupArn: string,
): Promise<LiveInstance[]> {
  const sdk = await import('@aws-sdk/client-elastic-load-balancing-v2');
  const elb = options.elb ?? new sdk.ElasticLoadBalancingV2Client({ region: options.region });
  let output: DescribeTargetHealthCommandOutput;
  try {
    output = (await elb.send(
      new sdk.DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
    )) as DescribeTargetHealthCommandOutput;
  } catch (error) {
    throw awsCallError(
      {
        api: 'ELBv2 DescribeTargetHealth',
        resource: `the target group ${targetGroupArn}`,
        action: 'elasticloadbalancing:DescribeTargetHealth',
      },
      error,
    );
  }
  return (output.TargetHealthDescriptions ?? []).map((description) => {
    const health = description.TargetHealth;
    const reason = [health?.Reason, health?.Description].filter((part) => part !== undefined);
    return {
      id: `${description.Target?.Id ?? '?'}:${description.Target?.Port ?? '?'}`,
      state: 'registered',
      health: `${health?.State ?? 'unknown'}${reason.length > 0 ? ` (${reason.join(': ')})` : ''}`,
      revision: null,
    };
  });
}
