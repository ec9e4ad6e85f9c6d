/** aws-ecs and aws-ec2-gpu: CloudWatch Logs for both; ECS or Auto Scaling for the status. */
import type { ResolvedConfig } from '../config/resolved-config.js';
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
  return {
    logs: () =>
      cloudWatchLogSource({
        region,
        logGroup: names.logGroup,
        ...(clients.logs === undefined ? {} : { client: clients.logs }),
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
