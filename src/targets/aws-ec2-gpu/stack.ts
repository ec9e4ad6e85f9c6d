/**
 * aws-ec2-gpu: the bento on NVIDIA GPU instances running Docker. One instance when
 * max_instances is 1 (its address is the endpoint); otherwise a launch template, an Auto Scaling
 * group in the private subnets and an ALB.
 */
import { Fn, TerraformLocal, TerraformOutput } from 'cdktf';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group/index.js';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy/index.js';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { DataAwsAmi } from '@cdktf/provider-aws/lib/data-aws-ami/index.js';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter/index.js';
import { Eip } from '@cdktf/provider-aws/lib/eip/index.js';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile/index.js';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { Instance } from '@cdktf/provider-aws/lib/instance/index.js';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template/index.js';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import type { TerraformStack } from 'cdktf';
import { addAwsLoadBalancer } from '../common/aws-alb.js';
import { addEcrRepository, ecrLocation } from '../common/aws-ecr.js';
import { assumeRolePolicy } from '../common/aws-iam.js';
import { addAwsProvider } from '../common/aws-provider.js';
import { runtimeStartPolicy } from '../common/aws-runtime-policy.js';
import { awsSecrets } from '../common/aws-secrets.js';
import {
  allowFromCidrs,
  allowFromGroup,
  allowHttpsOut,
  endpointSources,
} from '../common/aws-security-rules.js';
import { addAwsNetwork, type AwsNetwork } from '../common/aws-vpc.js';
import type { SynthInput } from '../synthesizer.js';
import type { AwsEc2GpuSpec } from './spec.js';
import { userDataScript } from './user-data.js';

/** The AWS Deep Learning Base GPU AMI (Ubuntu 22.04): NVIDIA driver, Docker, NVIDIA toolkit. */
export const DLAMI_SSM_PARAMETER =
  '/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-ubuntu-22.04/latest/ami-id';
/** A GPU instance pulls a multi-GB CUDA image before it can answer /readyz. */
const BOOT_GRACE_SECONDS = 900;
const DEREGISTRATION_DELAY_SECONDS = 30;

interface InstanceShape {
  readonly amiId: string;
  readonly securityGroupId: string;
  readonly instanceProfile: InstanceType<typeof IamInstanceProfile>;
  readonly userData: string;
}

export function synthesizeAwsEc2Gpu(input: SynthInput<AwsEc2GpuSpec>): void {
  const { stack, config, spec, image } = input;
  const name = config.name;
  const port = config.runtime.port;
  const scaled = spec.max_instances > 1;
  const secrets = awsSecrets(config);
  const imageLocation = ecrLocation(image.repository);

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
  const logGroup = new CloudwatchLogGroup(stack, 'log_group', {
    name: `/bentoctl/${name}`,
    retentionInDays: spec.log_retention_days,
  });

  const role = new IamRole(stack, 'instance_role', {
    name: `${name}-instance`,
    assumeRolePolicy: assumeRolePolicy('ec2.amazonaws.com'),
  });
  // Session Manager replaces SSH: a shell without an open port or a key to leak.
  new IamRolePolicyAttachment(stack, 'instance_role_ssm', {
    role: role.name,
    policyArn: `${aws.managedPolicyPrefix}AmazonSSMManagedInstanceCore`,
  });
  new IamRolePolicy(stack, 'instance_role_policy', {
    name: 'pull-image-write-logs-read-secrets',
    role: role.id,
    policy: runtimeStartPolicy({
      imageRepository: image.repository,
      logGroupArn: logGroup.arn,
      secrets,
    }),
  });
  const instanceProfile = new IamInstanceProfile(stack, 'instance_profile', {
    name: `${name}-instance`,
    role: role.name,
  });

  const securityGroup = new SecurityGroup(stack, 'instance_security_group', {
    name: `${name}-instance`,
    description: scaled
      ? `Instances of ${name}: the serving port from the load balancer only`
      : `Instance of ${name}: the serving port from the allowed CIDRs only`,
    vpcId: network.vpcId,
    tags: { Name: `${name}-instance` },
  });
  allowHttpsOut(stack, 'instance_egress_https', securityGroup.id);
  if (spec.key_name !== undefined && spec.ssh_cidr !== undefined) {
    allowFromCidrs(
      stack,
      {
        id: 'instance_ingress_ssh',
        securityGroupId: securityGroup.id,
        port: 22,
        description: 'SSH',
      },
      [{ key: 'admin', cidr: spec.ssh_cidr }],
    );
  }
  const sources = endpointSources(network.vpcCidr, spec.allowed_cidrs);

  const userData = new TerraformLocal(
    stack,
    'user_data',
    userDataScript({
      deployment: name,
      region: spec.region,
      image: image.ref,
      ecr:
        imageLocation !== undefined
          ? { registry: image.repository.split('/')[0] ?? '', region: imageLocation.region }
          : undefined,
      port,
      environment: input.environment,
      secrets,
      logGroupName: `/bentoctl/${name}`,
    }),
  );
  const shape: InstanceShape = {
    amiId:
      spec.ami_id ??
      new DataAwsSsmParameter(stack, 'dlami', { name: DLAMI_SSM_PARAMETER }).insecureValue,
    securityGroupId: securityGroup.id,
    instanceProfile,
    userData: userData.asString,
  };

  let endpoint: string;
  if (scaled) {
    const balancer = addAwsLoadBalancer(stack, {
      name,
      network,
      public: spec.public,
      sources,
      certificateArn: spec.certificate_arn,
      targetPort: port,
      targetType: 'instance',
      targetSecurityGroupId: securityGroup.id,
      deregistrationDelaySeconds: DEREGISTRATION_DELAY_SECONDS,
      healthCheckIntervalSeconds: 15,
    });
    allowFromGroup(
      stack,
      {
        id: 'instance_ingress_alb',
        securityGroupId: securityGroup.id,
        port,
        description: 'Serving port from the load balancer',
      },
      balancer.securityGroupId,
    );
    addAutoScalingGroup(stack, input, network, shape, {
      targetGroupArn: balancer.targetGroup.arn,
      requestsLabel: `${balancer.loadBalancer.arnSuffix}/${balancer.targetGroup.arnSuffix}`,
    });
    endpoint = balancer.endpoint;
  } else {
    allowFromCidrs(
      stack,
      {
        id: 'instance_ingress_serving',
        securityGroupId: securityGroup.id,
        port,
        description: 'Serving port from an allowed source',
      },
      sources,
    );
    endpoint = `http://${addSingleInstance(stack, input, network, shape)}:${port}`;
  }

  new TerraformOutput(stack, 'endpoint', {
    value: endpoint,
    description: 'URL of the instance, or of the load balancer when scaled',
  });
  new TerraformOutput(stack, 'image_repository', {
    value: repository.repositoryUrl,
    description: 'ECR repository the image is pushed to',
  });
}

const METADATA_OPTIONS = {
  httpEndpoint: 'enabled',
  httpTokens: 'required',
  // One hop: the host reaches instance metadata, containers on the Docker bridge do not, so
  // the bento cannot borrow the instance role's credentials.
  httpPutResponseHopLimit: 1,
} as const;

/** Returns the address clients use: the Elastic IP when public, else the private IP. */
function addSingleInstance(
  stack: TerraformStack,
  input: SynthInput<AwsEc2GpuSpec>,
  network: AwsNetwork,
  shape: InstanceShape,
): string {
  const { spec } = input;
  const instance = new Instance(stack, 'instance', {
    ami: shape.amiId,
    instanceType: spec.instance_type,
    subnetId: (spec.public ? network.publicSubnetIds : network.privateSubnetIds)[0],
    vpcSecurityGroupIds: [shape.securityGroupId],
    iamInstanceProfile: shape.instanceProfile.name,
    keyName: spec.key_name,
    associatePublicIpAddress: false,
    userData: shape.userData,
    // A new image digest or setting is a new boot script: replace the instance so it runs.
    userDataReplaceOnChange: true,
    metadataOptions: METADATA_OPTIONS,
    monitoring: true,
    ebsOptimized: true,
    rootBlockDevice: {
      volumeType: 'gp3',
      volumeSize: spec.root_volume_gib,
      encrypted: true,
      deleteOnTermination: true,
    },
    tags: { Name: input.config.name },
    // The DLAMI parameter moves to each new release; that alone must not replace a running
    // instance. A new image or config still does (user data).
    lifecycle: { ignoreChanges: ['ami'] },
  });
  if (!spec.public) return instance.privateIp;
  // A fixed address that survives the replacements above.
  const address = new Eip(stack, 'instance_eip', {
    domain: 'vpc',
    instance: instance.id,
    tags: { Name: input.config.name },
  });
  return address.publicIp;
}

function addAutoScalingGroup(
  stack: TerraformStack,
  input: SynthInput<AwsEc2GpuSpec>,
  network: AwsNetwork,
  shape: InstanceShape,
  balancer: { readonly targetGroupArn: string; readonly requestsLabel: string },
): void {
  const { spec, config } = input;
  // The root device name differs per AMI (`/dev/sda1` on Ubuntu, `/dev/xvda` on Amazon Linux);
  // a wrong one would attach a second volume instead of sizing the root.
  const ami = new DataAwsAmi(stack, 'ami', {
    filter: [{ name: 'image-id', values: [shape.amiId] }],
  });
  // Instances launched by an ASG get no provider default tags: tag them explicitly.
  const tags = { ...input.labels, ...spec.tags, Name: config.name };
  const template = new LaunchTemplate(stack, 'launch_template', {
    name: config.name,
    imageId: shape.amiId,
    instanceType: spec.instance_type,
    keyName: spec.key_name,
    iamInstanceProfile: { arn: shape.instanceProfile.arn },
    vpcSecurityGroupIds: [shape.securityGroupId],
    userData: Fn.base64encode(shape.userData),
    metadataOptions: METADATA_OPTIONS,
    monitoring: { enabled: true },
    ebsOptimized: 'true',
    blockDeviceMappings: [
      {
        deviceName: ami.rootDeviceName,
        ebs: {
          volumeType: 'gp3',
          volumeSize: spec.root_volume_gib,
          encrypted: 'true',
          deleteOnTermination: 'true',
        },
      },
    ],
    tagSpecifications: [
      { resourceType: 'instance', tags },
      { resourceType: 'volume', tags },
    ],
    updateDefaultVersion: true,
  });
  const group = new AutoscalingGroup(stack, 'autoscaling_group', {
    name: config.name,
    minSize: spec.min_instances,
    maxSize: spec.max_instances,
    desiredCapacity: spec.min_instances,
    vpcZoneIdentifier: network.privateSubnetIds,
    targetGroupArns: [balancer.targetGroupArn],
    healthCheckType: 'ELB',
    healthCheckGracePeriod: BOOT_GRACE_SECONDS,
    defaultInstanceWarmup: BOOT_GRACE_SECONDS,
    launchTemplate: { id: template.id, version: template.latestVersion.toString() },
    // A new launch template version (new image, new config) rolls through the group while
    // half of it keeps serving.
    instanceRefresh: {
      strategy: 'Rolling',
      preferences: { minHealthyPercentage: 50, instanceWarmup: String(BOOT_GRACE_SECONDS) },
    },
    lifecycle: { ignoreChanges: ['desired_capacity'] },
  });
  new AutoscalingPolicy(stack, 'autoscaling_policy', {
    name: `${config.name}-requests`,
    autoscalingGroupName: group.name,
    policyType: 'TargetTrackingScaling',
    targetTrackingConfiguration: {
      targetValue: spec.scaling_target,
      predefinedMetricSpecification: {
        predefinedMetricType: 'ALBRequestCountPerTarget',
        resourceLabel: balancer.requestsLabel,
      },
    },
  });
}
