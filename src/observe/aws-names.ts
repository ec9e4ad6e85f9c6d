/**
 * The names the AWS stacks give what `logs` and `status` ask about. The stacks write them inline
 * (src/targets/aws-ecs/stack.ts, src/targets/aws-ec2-gpu/stack.ts) rather than through a naming
 * function, so they are stated once more here; test/observe/aws-names.test.ts synthesizes both
 * stacks and fails when the two disagree.
 */

export interface AwsDeploymentNames {
  /** `aws_cloudwatch_log_group.log_group`: where the runtime's container writes. */
  readonly logGroup: string;
  /** `aws_ecs_cluster.cluster` (aws-ecs). */
  readonly cluster: string;
  /** `aws_ecs_service.service`; also the task definition family (aws-ecs). */
  readonly service: string;
  /** `aws_autoscaling_group.autoscaling_group` (aws-ec2-gpu with max_instances > 1). */
  readonly autoScalingGroup: string;
}

export function awsDeploymentNames(deployment: string): AwsDeploymentNames {
  return {
    logGroup: `/bentoctl/${deployment}`,
    cluster: deployment,
    service: deployment,
    autoScalingGroup: deployment,
  };
}
