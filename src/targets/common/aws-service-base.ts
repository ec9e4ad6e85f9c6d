/**
 * What the two AWS targets open with, built once: the provider, the network, the ECR
 * repository, the log group, the role that starts the runtime container, the runtime's security
 * group, the load balancer in front of it and the stack's outputs. aws-ecs (Fargate tasks) and
 * aws-ec2-gpu (instances) add only what differs, the way aws-cdk's
 * `ApplicationLoadBalancedServiceBase` serves its Fargate and EC2 services.
 */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import { declareOutputs, outputsOf, type OutputValue } from '../declare-outputs.js';
import type { SynthInput } from '../synthesizer.js';
import type { TargetOutput } from '../target.js';
import {
  addAwsLoadBalancer,
  addWeightedAwsLoadBalancer,
  type AwsLoadBalancer,
  type AwsLoadBalancerProps,
  type AwsWeightedLoadBalancer,
  type WeightedTargets,
} from './aws-alb.js';
import { addEcrRepository } from './aws-ecr.js';
import { assumeRolePolicy, iamName } from './aws-iam.js';
import { addAwsProvider, type AwsAccount } from './aws-provider.js';
import { runtimeStartPolicy } from './aws-runtime-policy.js';
import { awsSecrets, parseAwsSecret, type AwsSecret } from './aws-secrets.js';
import { awsImagePullProblem, needsPullCredentials } from './aws-image-pull.js';
import { errors } from '../../errors/index.js';
import {
  allowFromGroup,
  allowHttpsOut,
  endpointSources,
  type CidrSource,
} from './aws-security-rules.js';
import type { PrivateEgress } from './aws-private-egress.js';
import { addAwsNetwork, type AwsNetwork } from './aws-vpc.js';

/** The spec fields both AWS targets share. */
export interface AwsServiceSpec {
  readonly region: string;
  readonly vpc_id?: string | undefined;
  readonly public_subnet_ids?: readonly string[] | undefined;
  readonly private_subnet_ids?: readonly string[] | undefined;
  readonly private_egress: PrivateEgress;
  readonly vpc_cidr: string;
  readonly public: boolean;
  readonly allowed_cidrs: readonly string[];
  readonly certificate_arn?: string | undefined;
  readonly log_retention_days: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly secrets_kms_key_arns: readonly string[];
  readonly image_pull_secret?: string | undefined;
}

/** How the targets differ in what the base builds. */
export interface AwsServiceBaseProps {
  /** Zones a new VPC may use (see AwsNetworkProps). @default - every available zone */
  readonly offeredZones?: string[];
  /** The target's declared outputs: the stack declares exactly these (see `addOutputs`). */
  readonly outputs: readonly TargetOutput[];
  /** The runtime's security group: `<id>_security_group`, named `<deployment>-<nameSuffix>`. */
  readonly runtime: {
    /** Prefix of the group's and its rules' construct IDs: `task`, `instance`. */
    readonly id: string;
    readonly nameSuffix: string;
    readonly description: string;
  };
  /** The role that starts the container: ECS's execution role, EC2's instance role. */
  readonly role: {
    /** Construct ID; its policy is `<id>_policy`. */
    readonly id: string;
    readonly nameSuffix: string;
    /** The service that assumes it. */
    readonly service: string;
    /** Whether the service sends `aws:SourceAccount` (ECS tasks do, EC2 does not). */
    readonly sourceAccount: boolean;
  };
}

/** How the load balancer differs between Fargate tasks and EC2 instances. */
export type AwsServiceLoadBalancerProps = Pick<
  AwsLoadBalancerProps,
  'targetType' | 'deregistrationDelaySeconds' | 'healthCheckIntervalSeconds'
>;

export interface AwsServiceBase {
  readonly account: AwsAccount;
  readonly network: AwsNetwork;
  readonly repository: InstanceType<typeof EcrRepository>;
  readonly logGroup: InstanceType<typeof CloudwatchLogGroup>;
  readonly secrets: readonly AwsSecret[];
  /** The registry credentials secret, when the image is outside ECR. */
  readonly pullSecret?: AwsSecret;
  readonly role: InstanceType<typeof IamRole>;
  readonly rolePolicy: InstanceType<typeof IamRolePolicy>;
  readonly securityGroup: InstanceType<typeof SecurityGroup>;
  /** Who may reach the endpoint: the VPC and `allowed_cidrs`. */
  readonly sources: readonly CidrSource[];
  /**
   * Adds the ALB in front of the runtime's security group and opens the serving port to it
   * (aws-ecs always, aws-ec2-gpu when scaled), and the gRPC port when `runtime.grpc` is on.
   */
  addLoadBalancer(props: AwsServiceLoadBalancerProps): AwsLoadBalancer;
  /**
   * The same load balancer without a target group of its own: its listener splits the requests
   * by weight across the caller's groups (aws-ec2-gpu under canary or blue-green), and with
   * `runtime.grpc` its gRPC listener splits the calls across `grpcTargets` (required then).
   */
  addWeightedLoadBalancer(
    props: AwsServiceLoadBalancerProps,
    targets: WeightedTargets,
    grpcTargets?: WeightedTargets,
  ): AwsWeightedLoadBalancer;
  /**
   * Declares the target's outputs (gRPC's when it is on, the candidate's under canary or
   * blue-green); `values` must name exactly those.
   */
  addOutputs(values: Readonly<Record<string, OutputValue>>): void;
}

export function addAwsServiceBase(
  input: SynthInput<AwsServiceSpec>,
  props: AwsServiceBaseProps,
): AwsServiceBase {
  const { stack, config, spec, image } = input;
  const name = config.name;
  const { port, grpc } = config.runtime;
  const secrets = awsSecrets(config);
  const pullProblem = awsImagePullProblem(image.repository, spec.image_pull_secret);
  if (pullProblem !== undefined) {
    throw errors.imageNotPullable(image.ref, config.target, pullProblem);
  }
  // Read by the role that pulls, with the secrets the runtime reads.
  const pullSecret = needsPullCredentials(image.repository, spec.image_pull_secret)
    ? parseAwsSecret('image pull credentials', spec.image_pull_secret ?? '')
    : undefined;

  const account = addAwsProvider(stack, {
    region: spec.region,
    labels: input.labels,
    tags: spec.tags,
  });
  const network = addAwsNetwork(stack, {
    name,
    vpcId: spec.vpc_id,
    publicSubnetIds: spec.public_subnet_ids,
    privateSubnetIds: spec.private_subnet_ids,
    vpcCidr: spec.vpc_cidr,
    privateEgress: spec.private_egress,
    region: spec.region,
    ...(props.offeredZones !== undefined ? { offeredZones: props.offeredZones } : {}),
  });
  // The stack declares only the deployment's own repository (named after it), which goes with
  // it on destroy, images and all, as the destroy plan says on its line; a repository another
  // deployment owns is never declared here, so destroying this stack cannot wipe it.
  const repository = addEcrRepository(stack, {
    deployment: name,
    region: spec.region,
    image,
    accountId: account.accountId,
    forceDelete: true,
  });
  const logGroup = new CloudwatchLogGroup(stack, 'log_group', {
    name: `/bentoctl/${name}`,
    retentionInDays: spec.log_retention_days,
  });

  const role = new IamRole(stack, props.role.id, {
    name: iamName(name, spec.region, props.role.nameSuffix),
    assumeRolePolicy: assumeRolePolicy(
      props.role.service,
      props.role.sourceAccount ? account.accountId : undefined,
    ),
  });
  const rolePolicy = new IamRolePolicy(stack, `${props.role.id}_policy`, {
    name: 'pull-image-write-logs-read-secrets',
    role: role.id,
    policy: runtimeStartPolicy({
      imageRepository: image.repository,
      logGroupArn: logGroup.arn,
      secrets: pullSecret !== undefined ? [...secrets, pullSecret] : secrets,
      kmsKeyArns: spec.secrets_kms_key_arns,
    }),
  });

  const groupName = `${name}-${props.runtime.nameSuffix}`;
  const securityGroup = new SecurityGroup(stack, `${props.runtime.id}_security_group`, {
    name: groupName,
    description: props.runtime.description,
    vpcId: network.vpcId,
    tags: { Name: groupName },
  });
  allowHttpsOut(stack, `${props.runtime.id}_egress_https`, securityGroup.id);
  const sources = endpointSources(network.vpcCidr, spec.allowed_cidrs);

  const balancerProps = (props: AwsServiceLoadBalancerProps): AwsLoadBalancerProps => ({
    name,
    network,
    public: spec.public,
    sources,
    certificateArn: spec.certificate_arn,
    targetPort: port,
    targetSecurityGroupId: securityGroup.id,
    ...(grpc.enabled ? { grpcPort: grpc.port } : {}),
    ...props,
  });
  // The serving port opens to the load balancer's group, whichever form it takes.
  const openToBalancer = <Balancer extends AwsWeightedLoadBalancer>(balancer: Balancer) => {
    allowFromGroup(
      stack,
      {
        id: `${props.runtime.id}_ingress_alb`,
        securityGroupId: securityGroup.id,
        port,
        description: 'Serving port from the load balancer',
      },
      balancer.securityGroupId,
    );
    if (grpc.enabled) {
      allowFromGroup(
        stack,
        {
          id: `${props.runtime.id}_ingress_alb_grpc`,
          securityGroupId: securityGroup.id,
          port: grpc.port,
          description: 'gRPC port from the load balancer',
        },
        balancer.securityGroupId,
      );
    }
    return balancer;
  };

  return {
    account,
    network,
    repository,
    logGroup,
    secrets,
    ...(pullSecret !== undefined ? { pullSecret } : {}),
    role,
    rolePolicy,
    securityGroup,
    sources,
    addLoadBalancer: (balancer) =>
      openToBalancer(addAwsLoadBalancer(stack, balancerProps(balancer))),
    addWeightedLoadBalancer: (balancer, targets, grpcTargets) =>
      openToBalancer(
        addWeightedAwsLoadBalancer(stack, balancerProps(balancer), targets, grpcTargets),
      ),
    addOutputs: (values) => declareOutputs(stack, outputsOf(props.outputs, config), values),
  };
}
