/** aws-ecs and aws-ec2-gpu: CloudWatch Logs for both; ECS or Auto Scaling for the status. */
import type { ResolvedConfig } from '../config/resolved-config.js';
import { errors } from '../errors/index.js';
import type { AwsClientLike } from './aws-errors.js';
import { awsDeploymentNames } from './aws-names.js';
import { cloudWatchLogSource } from './cloudwatch-logs.js';
import type { CloudObserver } from './observer.js';

export function awsObserver(
  config: ResolvedConfig,
  target: 'aws-ecs' | 'aws-ec2-gpu',
  clients: {
    readonly logs?: AwsClientLike;
    readonly ecs?: AwsClientLike;
    readonly elb?: AwsClientLike;
    readonly autoScaling?: AwsClientLike;
  },
): CloudObserver {
  const region = String(config.spec.region);
  const names = awsDeploymentNames(config.name);
  const revisionStreams = async (revision: string | undefined) => {
    if (revision === undefined) return undefined;
    const { ecsRevisionStreams, taskDefinitionRevision } = await import('./ecs-task-streams.js');
    const number = taskDefinitionRevision(revision, names.service);
    if (number === undefined) {
      throw errors.flagInvalid(
        'revision',
        revision,
        `a task definition revision: 7 or ${names.service}:7`,
      );
    }
    return ecsRevisionStreams({ region, names, ecs: clients.ecs }, number);
  };
  return {
    logs: () =>
      cloudWatchLogSource({
        region,
        logGroup: names.logGroup,
        ...(clients.logs === undefined ? {} : { client: clients.logs }),
        // Only ECS streams say which revision wrote them (through their task).
        ...(target === 'aws-ecs' ? { streams: (window) => revisionStreams(window.revision) } : {}),
      }),
    async status() {
      if (target === 'aws-ecs') {
        const { ecsStatus } = await import('./ecs-status.js');
        return ecsStatus({ region, names, ...clients });
      }
      const { ec2Status } = await import('./ec2-status.js');
      return ec2Status({
        region,
        names,
        scaled: Number(config.spec.max_instances) > 1,
        ...clients,
      });
    },
  };
}
