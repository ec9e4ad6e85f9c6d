/**
 * aws-ecs: the bento on ECS Fargate in private subnets behind an ALB, with least-privilege
 * roles, deployment circuit breaker with rollback, and target-tracking autoscaling.
 */
import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy/index.js';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target/index.js';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster/index.js';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service/index.js';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { assumeRolePolicy, iamName } from '../common/aws-iam.js';
import { addAwsServiceBase } from '../common/aws-service-base.js';
import { spansTwoZones } from '../common/aws-vpc.js';
import { stableJsonLine } from '../stable-json.js';
import type { SynthInput } from '../synthesizer.js';
import { awsEcs } from './definition.js';
import { CONTAINER_NAME, TASK_VOLUMES, containerDefinition } from './container-definition.js';
import type { AwsEcsSpec } from './spec.js';
import { addTrafficShift } from './traffic-shift.js';
import { addGrpcTrafficShift } from './grpc-traffic-shift.js';
import { addApprovalHook } from './approval-hook.js';
import { CANDIDATE_ENDPOINT_OUTPUT, runningRevision } from '../traffic-split.js';

/** Defaults of `scaling_target` per metric: % CPU, or ALB requests per task per minute. */
export const DEFAULT_SCALING_TARGET = { cpu: 60, requests: 100 } as const;
/** In-flight requests get this long on a task being replaced or scaled in. */
const DEREGISTRATION_DELAY_SECONDS = 30;
/** Scale out fast, scale in slowly so that a short lull does not drop warm tasks. */
const SCALE_OUT_COOLDOWN_SECONDS = 60;
const SCALE_IN_COOLDOWN_SECONDS = 300;

/** The aws-ecs `Synthesizer` (its definition loads it): providers, resources and outputs. */
export function synthesizeAwsEcs(input: SynthInput<AwsEcsSpec>): void {
  const { stack, config, spec, image } = input;
  // Terminated: no tasks (autoscaling held at 0..0, which also stops the service's tasks),
  // while the cluster, load balancer (answering 503 with no targets), repository and task
  // definition stay for a restore.
  const instances = input.lifecycle.terminated
    ? { min: 0, max: 0 }
    : { min: spec.min_instances, max: spec.max_instances };
  const name = config.name;
  const port = config.runtime.port;
  const scalingTarget = spec.scaling_target ?? DEFAULT_SCALING_TARGET[spec.scaling_metric];

  // The execution role is what ECS uses to start the task; the task role (below) is what the
  // bento's code could use, and it needs nothing.
  const base = addAwsServiceBase(input, {
    outputs: awsEcs.outputs,
    runtime: {
      id: 'task',
      nameSuffix: 'tasks',
      description: `Tasks of ${name}: the serving port from the load balancer only`,
    },
    role: {
      id: 'execution_role',
      nameSuffix: 'execution',
      service: 'ecs-tasks.amazonaws.com',
      sourceAccount: true,
    },
  });
  const targetGroup = {
    targetType: 'ip',
    deregistrationDelaySeconds: DEREGISTRATION_DELAY_SECONDS,
    healthCheckIntervalSeconds: 15,
  } as const;
  const balancer = base.addLoadBalancer(targetGroup);
  const { network, logGroup, secrets, securityGroup: taskSecurityGroup } = base;

  const cluster = new EcsCluster(stack, 'cluster', {
    name,
    setting: [
      { name: 'containerInsights', value: spec.container_insights ? 'enabled' : 'disabled' },
    ],
  });

  const taskRole = new IamRole(stack, 'task_role', {
    name: iamName(name, spec.region, 'task'),
    assumeRolePolicy: assumeRolePolicy('ecs-tasks.amazonaws.com', base.account.accountId),
  });

  const taskDefinition = new EcsTaskDefinition(stack, 'task_definition', {
    family: name,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: String(spec.cpu),
    memory: String(spec.memory),
    runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
    executionRoleArn: base.role.arn,
    taskRoleArn: taskRole.arn,
    volume: TASK_VOLUMES,
    tags: { ...input.bentoLabels },
    containerDefinitions: stableJsonLine([
      containerDefinition({
        image: image.ref,
        port,
        ...(balancer.grpc === undefined ? {} : { grpcPort: config.runtime.grpc.port }),
        environment: input.environment,
        secrets,
        pullSecretArn: base.pullSecret?.secretArn,
        logGroupName: logGroup.name,
        region: spec.region,
      }),
    ]),
  });

  const { release } = config;
  const shift =
    release.strategy === 'rolling'
      ? undefined
      : addTrafficShift(stack, {
          name,
          region: spec.region,
          account: base.account,
          release,
          balancer,
          targetGroup: { ...targetGroup, name, network, targetPort: port },
          sources: base.sources,
          certificateArn: spec.certificate_arn,
        });
  // gRPC calls follow the same shift (grpc-traffic-shift.ts), with the same role.
  const grpcShift =
    shift === undefined || balancer.grpc === undefined
      ? undefined
      : addGrpcTrafficShift(stack, {
          grpc: balancer.grpc,
          targetGroup: { ...targetGroup, name, network, targetPort: config.runtime.grpc.port },
          roleArn: shift.advancedConfiguration.roleArn,
        });
  // Blue-green: ECS shifts only once bentoctl approved the revision (approval-hook.ts).
  const approval =
    release.strategy === 'blue-green'
      ? addApprovalHook(stack, {
          name,
          region: spec.region,
          account: base.account,
          revision: ecsRevision(input),
          logRetentionDays: spec.log_retention_days,
          addAsset: (assetName, bytes) => input.addAsset(assetName, bytes),
        })
      : undefined;

  const serviceChecks = [
    ...(network.zonesMayRepeat
      ? [spansTwoZones(network, 'private', "The tasks' private subnets")]
      : []),
    // The tasks pull from ECR and log to CloudWatch through the private subnets.
    ...(network.privateEgressCheck !== undefined ? [network.privateEgressCheck] : []),
  ];
  const service = new EcsService(stack, 'service', {
    name,
    cluster: cluster.id,
    taskDefinition: taskDefinition.arn,
    launchType: 'FARGATE',
    platformVersion: 'LATEST',
    desiredCount: instances.min,
    deploymentCircuitBreaker: { enable: true, rollback: true },
    ...(shift === undefined
      ? {}
      : {
          deploymentConfiguration:
            approval === undefined
              ? shift.deploymentConfiguration
              : { ...shift.deploymentConfiguration, lifecycleHook: [approval.lifecycleHook] },
          alarms: shift.alarms,
          timeouts: { update: shift.updateTimeout },
        }),
    // terraform apply waits for the rollout to finish, so a circuit-breaker rollback fails the
    // apply instead of leaving the old tasks serving behind a reported success. Not under an
    // approval: the deployment waits for `release promote`, which is another apply.
    waitForSteadyState: approval === undefined,
    deploymentMinimumHealthyPercent: 100,
    deploymentMaximumPercent: 200,
    healthCheckGracePeriodSeconds: spec.startup_grace_seconds,
    networkConfiguration: {
      subnets: network.privateSubnetIds,
      securityGroups: [taskSecurityGroup.id],
      assignPublicIp: false,
    },
    loadBalancer: [
      {
        targetGroupArn: balancer.targetGroup.arn,
        containerName: CONTAINER_NAME,
        containerPort: port,
        ...(shift === undefined ? {} : { advancedConfiguration: shift.advancedConfiguration }),
      },
      ...(balancer.grpc === undefined
        ? []
        : [
            {
              targetGroupArn: balancer.grpc.targetGroup.arn,
              containerName: CONTAINER_NAME,
              containerPort: config.runtime.grpc.port,
              ...(grpcShift === undefined
                ? {}
                : { advancedConfiguration: grpcShift.advancedConfiguration }),
            },
          ]),
    ],
    enableExecuteCommand: false,
    enableEcsManagedTags: true,
    // The tasks get the service's tags, the bento's among them.
    propagateTags: 'SERVICE',
    tags: { ...input.bentoLabels },
    // Autoscaling owns the task count once the service exists.
    lifecycle: {
      ignoreChanges: ['desired_count'],
      ...(serviceChecks.length > 0 ? { precondition: serviceChecks } : {}),
    },
    // A target group must be attached to a load balancer before a service can register in it.
    // The execution role's policy must exist before the first task starts (IAM propagates
    // slowly) and outlive the draining tasks at destroy, which only a dependency orders.
    dependsOn: [
      balancer.forwardingListener,
      ...(balancer.grpc === undefined ? [] : [balancer.grpc.listener]),
      base.rolePolicy,
      ...(shift?.dependsOn ?? []),
      ...(grpcShift?.dependsOn ?? []),
      ...(approval?.dependsOn ?? []),
    ],
  });

  const scalable = new AppautoscalingTarget(stack, 'autoscaling_target', {
    serviceNamespace: 'ecs',
    scalableDimension: 'ecs:service:DesiredCount',
    resourceId: `service/${cluster.name}/${service.name}`,
    minCapacity: instances.min,
    maxCapacity: instances.max,
  });
  new AppautoscalingPolicy(stack, 'autoscaling_policy', {
    name: `${name}-${spec.scaling_metric}`,
    policyType: 'TargetTrackingScaling',
    serviceNamespace: scalable.serviceNamespace,
    scalableDimension: scalable.scalableDimension,
    resourceId: scalable.resourceId,
    targetTrackingScalingPolicyConfiguration: {
      targetValue: scalingTarget,
      scaleOutCooldown: SCALE_OUT_COOLDOWN_SECONDS,
      scaleInCooldown: SCALE_IN_COOLDOWN_SECONDS,
      predefinedMetricSpecification:
        spec.scaling_metric === 'cpu'
          ? { predefinedMetricType: 'ECSServiceAverageCPUUtilization' }
          : {
              predefinedMetricType: 'ALBRequestCountPerTarget',
              resourceLabel: `${balancer.loadBalancer.arnSuffix}/${balancer.targetGroup.arnSuffix}`,
            },
    },
  });

  base.addOutputs({
    endpoint: balancer.endpoint,
    image_repository: base.repository.repositoryUrl,
    ...(balancer.grpc === undefined ? {} : { grpc_endpoint: balancer.grpc.endpoint }),
    ...(shift === undefined
      ? {}
      : {
          [CANDIDATE_ENDPOINT_OUTPUT]: {
            value: shift.test.endpoint,
            description: `URL of the new revision alone during an ECS deployment (the load balancer's test listener, port ${shift.test.port}), for a smoke test before it takes production traffic; between deployments it answers from the revision in production`,
          },
        }),
  });
}

/**
 * `<deployment>-<12 hex>`: names what the tasks run (image, environment, bento, config; the
 * release section and the state backend aside), so the approval of one revision never lets
 * another through, and a re-plan of the same inputs names the same one.
 */
function ecsRevision(input: SynthInput<AwsEcsSpec>): string {
  return runningRevision(input.config.name, input);
}
