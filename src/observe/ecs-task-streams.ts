/**
 * `logs --revision` on aws-ecs: the log streams of the tasks that ran one task definition
 * revision. The awslogs driver names a task's stream `<prefix>/<container>/<task id>` (both
 * `CONTAINER_NAME` in the stack), and ECS lists running tasks and, for about an hour, stopped ones.
 */
import type { DescribeTasksCommandOutput, ListTasksCommandOutput } from '@aws-sdk/client-ecs';
import { CONTAINER_NAME } from '../targets/aws-ecs/container-definition.js';
import { awsCallError, type AwsClientLike } from './aws-errors.js';
import type { AwsDeploymentNames } from './aws-names.js';

/** `7` or `iris-prod:7` → 7; anything else is not a revision. */
export function taskDefinitionRevision(value: string, family: string): number | undefined {
  const match = new RegExp(`^(?:${family.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:)?(\\d+)$`).exec(
    value,
  );
  return match === null ? undefined : Number(match[1]);
}

export async function ecsRevisionStreams(
  options: {
    readonly region: string;
    readonly names: AwsDeploymentNames;
    readonly ecs?: AwsClientLike | undefined;
  },
  revision: number,
): Promise<string[]> {
  const sdk = await import('@aws-sdk/client-ecs');
  const ecs = options.ecs ?? new sdk.ECSClient({ region: options.region });
  const { cluster, service } = options.names;
  const resource = `the service ${service} in cluster ${cluster} (${options.region})`;
  const taskArns: string[] = [];
  for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
    try {
      const listed = (await ecs.send(
        new sdk.ListTasksCommand({ cluster, serviceName: service, desiredStatus, maxResults: 100 }),
      )) as ListTasksCommandOutput;
      taskArns.push(...(listed.taskArns ?? []));
    } catch (error) {
      throw awsCallError({ api: 'ECS ListTasks', resource, action: 'ecs:ListTasks' }, error);
    }
  }
  if (taskArns.length === 0) return [];
  let described: DescribeTasksCommandOutput;
  try {
    described = (await ecs.send(
      new sdk.DescribeTasksCommand({ cluster, tasks: taskArns.slice(0, 100) }),
    )) as DescribeTasksCommandOutput;
  } catch (error) {
    throw awsCallError({ api: 'ECS DescribeTasks', resource, action: 'ecs:DescribeTasks' }, error);
  }
  return (described.tasks ?? [])
    .filter((task) => task.taskDefinitionArn?.endsWith(`/${service}:${revision}`) === true)
    .map((task) => `${CONTAINER_NAME}/${CONTAINER_NAME}/${task.taskArn?.split('/').pop() ?? ''}`);
}
