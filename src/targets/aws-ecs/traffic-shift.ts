/**
 * aws-ecs canary and blue-green on ECS's own deployment controller (provider 6.25): a second,
 * alternate target group, a production listener rule that forwards to both with weights ECS
 * sets, a test listener whose rule ECS points at the new tasks first (test-listener.ts: the
 * candidate's own URL), a role that lets ECS change those weights, and CloudWatch alarms on
 * each group's 5xx rate and p99 latency that roll a deployment back by themselves. ECS moves the traffic; bentoctl
 * only declares how (`bentoctl release status` reports it).
 */
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import type { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule/index.js';
import { addDeploymentRule } from './deployment-rule.js';
import type {
  EcsServiceAlarms,
  EcsServiceDeploymentConfiguration,
  EcsServiceLoadBalancerAdvancedConfiguration,
} from '@cdktf/provider-aws/lib/ecs-service/index.js';
import type { TerraformStack } from 'cdktf';
import type { ReleaseConfig } from '../../config/release-schema.js';
import { addTargetGroup, type AwsLoadBalancer } from '../common/aws-alb.js';
import { assumeRolePolicy, iamName } from '../common/aws-iam.js';
import type { AwsAccount } from '../common/aws-provider.js';
import type { CidrSource } from '../common/aws-security-rules.js';
import { addTestListener, type TestListener } from './test-listener.js';

/** A deployment rolls back when more than this share of its responses are 5xx... */
export const ROLLBACK_ERROR_PERCENT = 5;
/** ...or its p99 response time is above this, over ALARM_PERIODS minutes in a row. */
export const ROLLBACK_P99_LATENCY_SECONDS = 2;
const ALARM_PERIOD_SECONDS = 60;
const ALARM_PERIODS = 3;
/**
 * After a canary moved all traffic, ECS keeps the old tasks this long so the alarms can still
 * roll back to them at once (ECS's `bake_time_in_minutes`).
 */
export const CANARY_ROLLBACK_WINDOW_MINUTES = 5;
/** terraform apply waits for the deployment (wait_for_steady_state), bake times included. */
const APPLY_MARGIN_MINUTES = 30;
/**
 * The managed policy ECS needs to change listener rules and register targets: its ModifyRule
 * covers every ALB listener rule, the test rule's too, and DescribeRules any.
 */
const LOAD_BALANCER_POLICY = 'AmazonECSInfrastructureRolePolicyForLoadBalancers';

export interface TrafficShift {
  readonly deploymentConfiguration: EcsServiceDeploymentConfiguration;
  readonly advancedConfiguration: EcsServiceLoadBalancerAdvancedConfiguration;
  readonly alarms: EcsServiceAlarms;
  /** How long terraform may wait for one deployment. */
  readonly updateTimeout: string;
  /** The test listener: its URL is the `candidate_endpoint` output. */
  readonly test: Pick<TestListener, 'endpoint' | 'port'>;
  /** What the service must wait for (the rules and the role's policy). */
  readonly dependsOn: readonly (LbListenerRule | IamRolePolicyAttachment)[];
}

export interface TrafficShiftProps {
  readonly name: string;
  readonly region: string;
  readonly account: AwsAccount;
  readonly release: Exclude<ReleaseConfig, { strategy: 'rolling' }>;
  readonly balancer: AwsLoadBalancer;
  /** The primary group's settings, copied to the alternate one. */
  readonly targetGroup: Parameters<typeof addTargetGroup>[2];
  /** Who may reach the load balancer: the test listener opens to the same sources. */
  readonly sources: readonly CidrSource[];
  /** The production listener's certificate: the test listener is HTTPS too. @default - HTTP */
  readonly certificateArn?: string | undefined;
}

export function addTrafficShift(stack: TerraformStack, props: TrafficShiftProps): TrafficShift {
  const { name, balancer, release } = props;
  const alternate = addTargetGroup(stack, 'alternate_target_group', props.targetGroup);
  const rule = addDeploymentRule(stack, 'production_listener_rule', {
    listenerArn: balancer.forwardingListener.arn,
    primaryArn: balancer.targetGroup.arn,
    alternateArn: alternate.arn,
  });
  const test = addTestListener(stack, {
    loadBalancer: balancer.loadBalancer,
    securityGroupId: balancer.securityGroupId,
    sources: props.sources,
    certificateArn: props.certificateArn,
    primary: balancer.targetGroup,
    alternate,
  });
  const role = new IamRole(stack, 'deployment_role', {
    name: iamName(name, props.region, 'deployment'),
    assumeRolePolicy: assumeRolePolicy('ecs.amazonaws.com', props.account.accountId),
  });
  const policy = new IamRolePolicyAttachment(stack, 'deployment_role_policy', {
    role: role.name,
    policyArn: `arn:${props.account.partition}:iam::aws:policy/${LOAD_BALANCER_POLICY}`,
  });

  // Which group holds the new tasks alternates from one deployment to the next, so each group
  // has its alarms; a firing alarm on either rolls the deployment in progress back.
  const groups = [
    { id: 'primary', arnSuffix: balancer.targetGroup.arnSuffix },
    { id: 'alternate', arnSuffix: alternate.arnSuffix },
  ];
  const alarmNames: string[] = [];
  for (const group of groups) {
    const dimensions = {
      LoadBalancer: balancer.loadBalancer.arnSuffix,
      TargetGroup: group.arnSuffix,
    };
    const errors = new CloudwatchMetricAlarm(stack, `${group.id}_error_rate_alarm`, {
      alarmName: `${name}-${group.id}-5xx-rate`,
      alarmDescription: `More than ${ROLLBACK_ERROR_PERCENT} % 5xx from the ${group.id} target group of ${name}: ECS rolls the deployment back`,
      comparisonOperator: 'GreaterThanThreshold',
      threshold: ROLLBACK_ERROR_PERCENT,
      evaluationPeriods: ALARM_PERIODS,
      // No requests is no evidence against the new revision.
      treatMissingData: 'notBreaching',
      metricQuery: [
        {
          id: 'errors',
          returnData: false,
          metric: albMetric('HTTPCode_Target_5XX_Count', 'Sum', dimensions),
        },
        {
          id: 'requests',
          returnData: false,
          metric: albMetric('RequestCount', 'Sum', dimensions),
        },
        {
          id: 'rate',
          label: '5xx % of requests',
          expression: '100 * errors / MAX([requests, 1])',
          returnData: true,
        },
      ],
    });
    const latency = new CloudwatchMetricAlarm(stack, `${group.id}_latency_alarm`, {
      alarmName: `${name}-${group.id}-p99-latency`,
      alarmDescription: `p99 response time of the ${group.id} target group of ${name} above ${ROLLBACK_P99_LATENCY_SECONDS} s: ECS rolls the deployment back`,
      namespace: 'AWS/ApplicationELB',
      metricName: 'TargetResponseTime',
      extendedStatistic: 'p99',
      dimensions,
      period: ALARM_PERIOD_SECONDS,
      comparisonOperator: 'GreaterThanThreshold',
      threshold: ROLLBACK_P99_LATENCY_SECONDS,
      evaluationPeriods: ALARM_PERIODS,
      treatMissingData: 'notBreaching',
    });
    alarmNames.push(errors.alarmName, latency.alarmName);
  }

  const bakeMinutes =
    release.strategy === 'canary' ? CANARY_ROLLBACK_WINDOW_MINUTES : release.bake_minutes;
  const deploymentConfiguration: EcsServiceDeploymentConfiguration =
    release.strategy === 'canary'
      ? {
          strategy: 'CANARY',
          bakeTimeInMinutes: String(bakeMinutes),
          canaryConfiguration: {
            canaryPercent: release.percent,
            canaryBakeTimeInMinutes: String(release.bake_minutes),
          },
        }
      : { strategy: 'BLUE_GREEN', bakeTimeInMinutes: String(bakeMinutes) };
  const waitMinutes =
    (release.strategy === 'canary' ? release.bake_minutes : 0) + bakeMinutes + APPLY_MARGIN_MINUTES;
  return {
    deploymentConfiguration,
    advancedConfiguration: {
      alternateTargetGroupArn: alternate.arn,
      productionListenerRule: rule.arn,
      testListenerRule: test.rule.arn,
      roleArn: role.arn,
    },
    alarms: { alarmNames, enable: true, rollback: true },
    updateTimeout: `${waitMinutes}m`,
    test: { endpoint: test.endpoint, port: test.port },
    dependsOn: [rule, test.rule, policy],
  };
}

function albMetric(metricName: string, stat: string, dimensions: Readonly<Record<string, string>>) {
  return {
    namespace: 'AWS/ApplicationELB',
    metricName,
    stat,
    period: ALARM_PERIOD_SECONDS,
    dimensions: { ...dimensions },
  };
}
