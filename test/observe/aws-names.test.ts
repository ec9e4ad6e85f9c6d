/**
 * The AWS names `logs` and `status` ask for are the ones the stacks declare: both AWS stacks are
 * synthesized and their log group, ECS cluster and service and Auto Scaling group compared.
 */
import { describe, expect, it } from 'vitest';
import { awsDeploymentNames } from '../../src/observe/aws-names.js';
import { synthesizeAwsEc2Gpu } from '../../src/targets/aws-ec2-gpu/stack.js';
import { synthesizeAwsEcs } from '../../src/targets/aws-ecs/stack.js';
import {
  configText,
  ECR_IMAGE,
  loadTestConfig,
  resource,
  synthesizeTarget,
} from '../targets/target-synth-harness.js';

describe('AWS resource names', () => {
  const names = awsDeploymentNames('iris-prod');

  it('GIVEN the aws-ecs stack THEN its log group, cluster and service are the names read', () => {
    const stack = synthesizeTarget(
      synthesizeAwsEcs,
      loadTestConfig(configText('aws-ecs', 'region: us-east-1')),
      ECR_IMAGE,
    );

    expect(resource(stack, 'aws_cloudwatch_log_group', 'log_group')?.name).toBe(names.logGroup);
    expect(resource(stack, 'aws_ecs_cluster', 'cluster')?.name).toBe(names.cluster);
    expect(resource(stack, 'aws_ecs_service', 'service')?.name).toBe(names.service);
  });

  it('GIVEN the scaled aws-ec2-gpu stack THEN its log group and Auto Scaling group are the names read', () => {
    const stack = synthesizeTarget(
      synthesizeAwsEc2Gpu,
      loadTestConfig(
        configText('aws-ec2-gpu', 'region: us-east-1\nmin_instances: 1\nmax_instances: 3'),
      ),
      ECR_IMAGE,
    );

    expect(resource(stack, 'aws_cloudwatch_log_group', 'log_group')?.name).toBe(names.logGroup);
    expect(resource(stack, 'aws_autoscaling_group', 'autoscaling_group')?.name).toBe(
      names.autoScalingGroup,
    );
  });
});
