/**
 * aws-ecs: the bento on ECS Fargate in private subnets behind an ALB, with least-privilege
 * roles, deployment circuit breaker with rollback, and target-tracking autoscaling.
 */
import { TerraformOutput } from 'cdktf';
import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy/index.js';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target/index.js';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster/index.js';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service/index.js';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import { addAwsLoadBalancer } from '../common/aws-alb.js';
import { addEcrRepository } from '../common/aws-ecr.js';
import { assumeRolePolicy } from '../common/aws-iam.js';
import { addAwsProvider } from '../common/aws-provider.js';
import { runtimeStartPolicy } from '../common/aws-runtime-policy.js';
import { awsSecrets } from '../common/aws-secrets.js';
import { allowFromGroup, allowHttpsOut, endpointSources } from '../common/aws-security-rules.js';
import { addAwsNetwork } from '../common/aws-vpc.js';
import { stableJsonLine } from '../stable-json.js';
import type { SynthInput } from '../synthesizer.js';
import { CONTAINER_NAME, TASK_VOLUMES, containerDefinition } from './container-definition.js';
import type { AwsEcsSpec } from './spec.js';

/** Defaults of `scaling_target` per metric: % CPU, or ALB requests per task per minute. */
export const DEFAULT_SCALING_TARGET = { cpu: 60, requests: 100 } as const;
/** In-flight requests get this long on a task being replaced or scaled in. */
const DEREGISTRATION_DELAY_SECONDS = 30;
/** Time for the runtime to load its models before the ALB's verdict counts. */
const HEALTH_CHECK_GRACE_SECONDS = 60;
/** Scale out fast, scale in slowly so that a short lull does not drop warm tasks. */
const SCALE_OUT_COOLDOWN_SECONDS = 60;
const SCALE_IN_COOLDOWN_SECONDS = 300;

export function synthesizeAwsEcs(input: SynthInput<AwsEcsSpec>): void {
  const { stack, config, spec, image } = input;
  const name = config.name;
  const port = config.runtime.port;
  const secrets = awsSecrets(config);
  const scalingTarget = spec.scaling_target ?? DEFAULT_SCALING_TARGET[spec.scaling_metric];

  const aws = addAwsProvider(stack, { region: spec.region, labels: input.labels, tags: spec.tags });
  const network = addAwsNetwork(stack, {
    name,
    vpcId: spec.vpc_id,
    publicSubnetIds: spec.public_subnet_ids,
    privateSubnetIds: spec.private_subnet_ids,
    vpcCidr: spec.vpc_cidr,
  });
  const repository = addEcrRepository(stack, {
    deployment: name,
    region: spec.region,
    image,
    accountId: aws.accountId,
  });

  const taskSecurityGroup = new SecurityGroup(stack, 'task_security_group', {
    name: `${name}-tasks`,
    description: `Tasks of ${name}: the serving port from the load balancer only`,
    vpcId: network.vpcId,
    tags: { Name: `${name}-tasks` },
  });
  const balancer = addAwsLoadBalancer(stack, {
    name,
    network,
    public: spec.public,
    sources: endpointSources(network.vpcCidr, spec.allowed_cidrs),
    certificateArn: spec.certificate_arn,
    targetPort: port,
    targetType: 'ip',
    targetSecurityGroupId: taskSecurityGroup.id,
    deregistrationDelaySeconds: DEREGISTRATION_DELAY_SECONDS,
    healthCheckIntervalSeconds: 15,
  });
  allowFromGroup(
    stack,
    {
      id: 'task_ingress_alb',
      securityGroupId: taskSecurityGroup.id,
      port,
      description: 'Serving port from the load balancer',
    },
    balancer.securityGroupId,
  );
  allowHttpsOut(stack, 'task_egress_https', taskSecurityGroup.id);

  const logGroup = new CloudwatchLogGroup(stack, 'log_group', {
    name: `/bentoctl/${name}`,
    retentionInDays: spec.log_retention_days,
  });
  const cluster = new EcsCluster(stack, 'cluster', {
    name,
    setting: [
      { name: 'containerInsights', value: spec.container_insights ? 'enabled' : 'disabled' },
    ],
  });

  // The execution role is what ECS uses to start the task; the task role is what the bento's
  // code could use, and it needs nothing.
  const executionRole = new IamRole(stack, 'execution_role', {
    name: `${name}-execution`,
    assumeRolePolicy: assumeRolePolicy('ecs-tasks.amazonaws.com', aws.accountId),
  });
  new IamRolePolicy(stack, 'execution_role_policy', {
    name: 'pull-image-write-logs-read-secrets',
    role: executionRole.id,
    policy: runtimeStartPolicy({
      imageRepository: image.repository,
      logGroupArn: logGroup.arn,
      secrets,
    }),
  });
  const taskRole = new IamRole(stack, 'task_role', {
    name: `${name}-task`,
    assumeRolePolicy: assumeRolePolicy('ecs-tasks.amazonaws.com', aws.accountId),
  });

  const taskDefinition = new EcsTaskDefinition(stack, 'task_definition', {
    family: name,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: String(spec.cpu),
    memory: String(spec.memory),
    runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
    executionRoleArn: executionRole.arn,
    taskRoleArn: taskRole.arn,
    volume: TASK_VOLUMES,
    containerDefinitions: stableJsonLine([
      containerDefinition({
        image: image.ref,
        port,
        environment: input.environment,
        secrets,
        logGroupName: logGroup.name,
        region: spec.region,
      }),
    ]),
  });

  const service = new EcsService(stack, 'service', {
    name,
    cluster: cluster.id,
    taskDefinition: taskDefinition.arn,
    launchType: 'FARGATE',
    platformVersion: 'LATEST',
    desiredCount: spec.min_instances,
    deploymentCircuitBreaker: { enable: true, rollback: true },
    deploymentMinimumHealthyPercent: 100,
    deploymentMaximumPercent: 200,
    healthCheckGracePeriodSeconds: HEALTH_CHECK_GRACE_SECONDS,
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
      },
    ],
    enableExecuteCommand: false,
    enableEcsManagedTags: true,
    propagateTags: 'SERVICE',
    // Autoscaling owns the task count once the service exists.
    lifecycle: { ignoreChanges: ['desired_count'] },
    // A target group must be attached to a load balancer before a service can register in it.
    dependsOn: [balancer.forwardingListener],
  });

  const scalable = new AppautoscalingTarget(stack, 'autoscaling_target', {
    serviceNamespace: 'ecs',
    scalableDimension: 'ecs:service:DesiredCount',
    resourceId: `service/${cluster.name}/${service.name}`,
    minCapacity: spec.min_instances,
    maxCapacity: spec.max_instances,
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

  new TerraformOutput(stack, 'endpoint', {
    value: balancer.endpoint,
    description: 'URL of the load balancer in front of the service',
  });
  new TerraformOutput(stack, 'image_repository', {
    value: repository.repositoryUrl,
    description: 'ECR repository the image is pushed to',
  });
}
