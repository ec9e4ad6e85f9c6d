/**
 * The gRPC side of an aws-ecs canary or blue-green (traffic-shift.ts is the HTTP side): an
 * alternate GRPC target group and a production rule on the gRPC listener, which the service's
 * second `load_balancer` block names in its own `advanced_configuration`. ECS native blue/green
 * takes several target groups per service, each load balancer entry with its own alternate
 * group and production rule ("Registering multiple target groups with an Amazon ECS service",
 * and the `advancedConfiguration` of each `LoadBalancer` in the ECS API), and shifts them in the
 * same deployment: gRPC calls move to the new tasks when, and as far as, the requests do.
 *
 * The rollback alarms stay on the HTTP target groups: an ALB counts HTTP status codes, and a
 * failed gRPC call is an HTTP 200 with a grpc-status trailer. The same tasks serve both, so an
 * alarm on their HTTP side rolls both back.
 */
import type { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule/index.js';
import { addDeploymentRule } from './deployment-rule.js';
import type { EcsServiceLoadBalancerAdvancedConfiguration } from '@cdktf/provider-aws/lib/ecs-service/index.js';
import type { TerraformStack } from 'cdktf';
import { addTargetGroup, type AwsGrpcTargetListener } from '../common/aws-alb.js';

export interface GrpcTrafficShift {
  readonly advancedConfiguration: EcsServiceLoadBalancerAdvancedConfiguration;
  /** What the service must wait for: the rule. */
  readonly dependsOn: readonly LbListenerRule[];
}

export interface GrpcTrafficShiftProps {
  /** The gRPC listener and its primary GRPC target group. */
  readonly grpc: AwsGrpcTargetListener;
  /** The primary group's settings (its gRPC port among them), copied to the alternate one. */
  readonly targetGroup: Parameters<typeof addTargetGroup>[2];
  /** The role ECS changes the HTTP rule's weights with (traffic-shift.ts); it may change this one's. */
  readonly roleArn: string;
}

/** The alternate GRPC target group and the gRPC listener's production rule. */
export function addGrpcTrafficShift(
  stack: TerraformStack,
  props: GrpcTrafficShiftProps,
): GrpcTrafficShift {
  const { grpc } = props;
  const alternate = addTargetGroup(stack, 'grpc_alternate_target_group', props.targetGroup, {
    grpc: true,
  });
  const rule = addDeploymentRule(stack, 'grpc_production_listener_rule', {
    listenerArn: grpc.listener.arn,
    primaryArn: grpc.targetGroup.arn,
    alternateArn: alternate.arn,
  });
  return {
    advancedConfiguration: {
      alternateTargetGroupArn: alternate.arn,
      productionListenerRule: rule.arn,
      roleArn: props.roleArn,
    },
    dependsOn: [rule],
  };
}
