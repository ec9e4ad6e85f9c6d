/**
 * aws-ec2-gpu: the bento on NVIDIA GPU instances running Docker. One instance when
 * max_instances is 1 (its address is the endpoint); otherwise a launch template, an Auto Scaling
 * group in the private subnets and an ALB.
 */
import { Fn, TerraformLocal } from 'cdktf';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group/index.js';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy/index.js';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter/index.js';
import { Ec2InstanceState } from '@cdktf/provider-aws/lib/ec2-instance-state/index.js';
import { Eip } from '@cdktf/provider-aws/lib/eip/index.js';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { Instance } from '@cdktf/provider-aws/lib/instance/index.js';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template/index.js';
import type { TerraformStack } from 'cdktf';
import { ecrLocation } from '../common/aws-ecr.js';
import { registryHost } from '../common/aws-image-pull.js';
import { iamName } from '../common/aws-iam.js';
import { allowFromCidrs } from '../common/aws-security-rules.js';
import { addAwsServiceBase } from '../common/aws-service-base.js';
import { spansTwoZones, type AwsNetwork } from '../common/aws-vpc.js';
import type { SynthInput } from '../synthesizer.js';
import { awsEc2Gpu } from './definition.js';
import { addOfferedZones, offeredSubnets } from './placement.js';
import { addRootDevice, type RootDevice } from './root-volume.js';
import { sessionManagerPolicy } from './session-manager-policy.js';
import type { AwsEc2GpuSpec } from './spec.js';
import {
  addRevisionGroups,
  type RevisionEndpoints,
  type RevisionGroupProps,
} from './revision-groups.js';
import { CANDIDATE_ENDPOINT_OUTPUT } from '../traffic-split.js';
import { userDataScript } from './user-data.js';

/** The AWS Deep Learning Base GPU AMI (Ubuntu 22.04): NVIDIA driver, Docker, NVIDIA toolkit. */
export const DLAMI_SSM_PARAMETER =
  '/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-ubuntu-22.04/latest/ami-id';
const DEREGISTRATION_DELAY_SECONDS = 30;
const HEALTH_CHECK_INTERVAL_SECONDS = 15;

interface InstanceShape {
  readonly amiId: string;
  /** Whether AMI changes are ignored (the DLAMI from SSM) rather than followed (a pinned one). */
  readonly amiIgnored: boolean;
  readonly rootDevice: RootDevice;
  readonly offeredZones: string[];
  readonly securityGroupId: string;
  readonly instanceProfile: InstanceType<typeof IamInstanceProfile>;
  readonly userData: string;
}

/** The aws-ec2-gpu `Synthesizer` (its definition loads it): providers, resources and outputs. */
export function synthesizeAwsEc2Gpu(input: SynthInput<AwsEc2GpuSpec>): void {
  const { stack, config, spec, image } = input;
  const name = config.name;
  const { port, grpc } = config.runtime;
  const scaled = spec.max_instances > 1;
  const imageLocation = ecrLocation(image.repository);
  const offeredZones = addOfferedZones(stack, spec.instance_type);

  const base = addAwsServiceBase(input, {
    offeredZones,
    outputs: awsEc2Gpu.outputs,
    runtime: {
      id: 'instance',
      nameSuffix: 'instance',
      description: scaled
        ? `Instances of ${name}: the serving port from the load balancer only`
        : `Instance of ${name}: the serving port from the allowed CIDRs only`,
    },
    role: {
      id: 'instance_role',
      nameSuffix: 'instance',
      service: 'ec2.amazonaws.com',
      sourceAccount: false,
    },
  });
  const { network, secrets, securityGroup, role } = base;
  // Session Manager replaces SSH: a shell without an open port or a key to leak.
  new IamRolePolicy(stack, 'instance_role_ssm', {
    name: 'session-manager',
    role: role.id,
    policy: sessionManagerPolicy(),
  });
  const instanceProfile = new IamInstanceProfile(stack, 'instance_profile', {
    name: iamName(name, spec.region, 'instance'),
    role: role.name,
  });

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

  const script = userDataScript({
    deployment: name,
    region: spec.region,
    image: image.ref,
    ecr:
      imageLocation !== undefined
        ? { registry: image.repository.split('/')[0] ?? '', region: imageLocation.region }
        : undefined,
    registryLogin:
      base.pullSecret !== undefined
        ? { registry: registryHost(image.repository), secretArn: base.pullSecret.secretArn }
        : undefined,
    port,
    ...(grpc.enabled ? { grpcPort: grpc.port } : {}),
    environment: input.environment,
    secrets,
    logGroupName: `/bentoctl/${name}`,
  });
  const userData = new TerraformLocal(stack, 'user_data', script);
  const amiId =
    spec.ami_id ??
    new DataAwsSsmParameter(stack, 'dlami', { name: DLAMI_SSM_PARAMETER }).insecureValue;
  const shape: InstanceShape = {
    amiId,
    // The DLAMI parameter moves to each new release; that alone must not replace a running
    // instance or roll the fleet. A pinned ami_id is followed; a new image or config always is
    // (user data).
    amiIgnored: spec.ami_id === undefined,
    rootDevice: addRootDevice(stack, amiId, spec.root_volume_gib),
    offeredZones,
    securityGroupId: securityGroup.id,
    instanceProfile,
    userData: userData.asString,
  };

  let endpoint: string;
  let grpcEndpoint: string | undefined;
  let candidateEndpoint: RevisionEndpoints['candidateEndpoint'] | undefined;
  if (scaled && config.release.strategy !== 'rolling') {
    ({ endpoint, grpcEndpoint, candidateEndpoint } = addRevisionGroups(input, {
      ...groupSettings(input, network, shape),
      userDataScript: script,
      ...(grpc.enabled ? { grpcPort: grpc.port } : {}),
      base,
      network,
      targetGroup: {
        name,
        network,
        targetPort: port,
        targetType: 'instance',
        deregistrationDelaySeconds: DEREGISTRATION_DELAY_SECONDS,
        healthCheckIntervalSeconds: HEALTH_CHECK_INTERVAL_SECONDS,
      },
    }));
  } else if (scaled) {
    const balancer = base.addLoadBalancer({
      targetType: 'instance',
      deregistrationDelaySeconds: DEREGISTRATION_DELAY_SECONDS,
      healthCheckIntervalSeconds: HEALTH_CHECK_INTERVAL_SECONDS,
    });
    addAutoScalingGroup(stack, input, network, shape, {
      targetGroupArns: [
        balancer.targetGroup.arn,
        ...(balancer.grpc === undefined ? [] : [balancer.grpc.targetGroup.arn]),
      ],
      requestsLabel: `${balancer.loadBalancer.arnSuffix}/${balancer.targetGroup.arnSuffix}`,
    });
    endpoint = balancer.endpoint;
    grpcEndpoint = balancer.grpc?.endpoint;
  } else {
    allowFromCidrs(
      stack,
      {
        id: 'instance_ingress_serving',
        securityGroupId: securityGroup.id,
        port,
        description: 'Serving port from an allowed source',
      },
      base.sources,
    );
    if (grpc.enabled) {
      allowFromCidrs(
        stack,
        {
          id: 'instance_ingress_grpc',
          securityGroupId: securityGroup.id,
          port: grpc.port,
          description: 'gRPC port from an allowed source',
        },
        base.sources,
      );
    }
    const address = addSingleInstance(stack, input, network, shape);
    endpoint = `http://${address}:${port}`;
    if (grpc.enabled) grpcEndpoint = `${address}:${grpc.port}`;
  }

  base.addOutputs({
    endpoint,
    image_repository: base.repository.repositoryUrl,
    ...(grpcEndpoint === undefined ? {} : { grpc_endpoint: grpcEndpoint }),
    ...(candidateEndpoint === undefined ? {} : { [CANDIDATE_ENDPOINT_OUTPUT]: candidateEndpoint }),
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
  const placement = offeredSubnets(
    network,
    spec.public ? 'public' : 'private',
    shape.offeredZones,
    spec.instance_type,
  );
  const instance = new Instance(stack, 'instance', {
    ami: shape.amiId,
    instanceType: spec.instance_type,
    subnetId: placement.firstSubnetId,
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
    tags: { ...input.bentoLabels, Name: input.config.name },
    lifecycle: {
      ...(shape.amiIgnored ? { ignoreChanges: ['ami'] } : {}),
      // The replacement boots before the old instance goes: if EC2 has no GPU capacity for
      // it, the old one keeps serving. The endpoint still waits for the new one to load.
      createBeforeDestroy: true,
      precondition: [
        shape.rootDevice.precondition,
        ...(placement.precondition !== undefined ? [placement.precondition] : []),
        // A private instance pulls from ECR and logs to CloudWatch through its subnet.
        ...(!spec.public && network.privateEgressCheck !== undefined
          ? [network.privateEgressCheck]
          : []),
      ],
    },
  });
  // Terminated: the instance is stopped (no GPU hours; its volume, address and AMI stay); a
  // restore starts it again. Deleting this resource would leave it as it is, so a running
  // stack has none, and the restoring one says `running`.
  if (input.lifecycle.terminated || input.lifecycle.restoring) {
    new Ec2InstanceState(stack, 'instance_state', {
      instanceId: instance.id,
      state: input.lifecycle.terminated ? 'stopped' : 'running',
    });
  }
  if (!spec.public) return instance.privateIp;
  // A fixed address that survives the replacements above.
  const address = new Eip(stack, 'instance_eip', {
    domain: 'vpc',
    instance: instance.id,
    tags: { Name: input.config.name },
  });
  return address.publicIp;
}

/** The launch template and the group's placement: the rolling group's and each revision's. */
function groupSettings(
  input: SynthInput<AwsEc2GpuSpec>,
  network: AwsNetwork,
  shape: InstanceShape,
): Pick<RevisionGroupProps, 'subnetIds' | 'groupChecks' | 'template' | 'tags'> {
  const { spec, config } = input;
  const placement = offeredSubnets(network, 'private', shape.offeredZones, spec.instance_type);
  // Instances launched by an ASG get no provider default tags: tag them explicitly.
  const tags = { ...input.labels, ...input.bentoLabels, ...spec.tags, Name: config.name };
  const template: RevisionGroupProps['template'] = {
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
        // The root device name differs per AMI; a wrong one would attach a second volume
        // instead of sizing the root.
        deviceName: shape.rootDevice.deviceName,
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
    lifecycle: {
      ...(shape.amiIgnored ? { ignoreChanges: ['image_id'] } : {}),
      precondition: [shape.rootDevice.precondition],
    },
  };
  const groupChecks = [
    ...(placement.precondition !== undefined
      ? [
          placement.precondition,
          spansTwoZones(network, 'private', "The instances' private subnets"),
        ]
      : []),
    // The instances pull from ECR and log to CloudWatch through the private subnets.
    ...(network.privateEgressCheck !== undefined ? [network.privateEgressCheck] : []),
  ];
  return { subnetIds: placement.subnetIds, groupChecks, template, tags };
}

function addAutoScalingGroup(
  stack: TerraformStack,
  input: SynthInput<AwsEc2GpuSpec>,
  network: AwsNetwork,
  shape: InstanceShape,
  balancer: { readonly targetGroupArns: readonly string[]; readonly requestsLabel: string },
): void {
  const { spec, config } = input;
  const settings = groupSettings(input, network, shape);
  const template = new LaunchTemplate(stack, 'launch_template', {
    name: config.name,
    ...settings.template,
  });
  const groupChecks = settings.groupChecks;
  const group = new AutoscalingGroup(stack, 'autoscaling_group', {
    name: config.name,
    // Terminated: 0..0 takes every instance away (EC2 lowers the desired capacity with max).
    minSize: input.lifecycle.terminated ? 0 : spec.min_instances,
    maxSize: input.lifecycle.terminated ? 0 : spec.max_instances,
    desiredCapacity: input.lifecycle.terminated ? 0 : spec.min_instances,
    vpcZoneIdentifier: settings.subnetIds,
    targetGroupArns: [...balancer.targetGroupArns],
    healthCheckType: 'ELB',
    healthCheckGracePeriod: spec.startup_grace_seconds,
    defaultInstanceWarmup: spec.startup_grace_seconds,
    launchTemplate: { id: template.id, version: template.latestVersion.toString() },
    // A new launch template version (new image, new config) rolls through the group: new
    // instances launch before old ones go (min 100 %, max 200 %), instances already on the
    // version are skipped, and a refresh that fails rolls back to the previous version.
    instanceRefresh: {
      strategy: 'Rolling',
      preferences: {
        minHealthyPercentage: 100,
        maxHealthyPercentage: 200,
        skipMatching: true,
        autoRollback: true,
        instanceWarmup: String(spec.startup_grace_seconds),
      },
    },
    lifecycle: {
      ignoreChanges: ['desired_capacity'],
      ...(groupChecks.length > 0 ? { precondition: groupChecks } : {}),
    },
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
