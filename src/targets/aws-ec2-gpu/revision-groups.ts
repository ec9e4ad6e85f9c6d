/**
 * aws-ec2-gpu under canary or blue-green: one group of instances per revision behind the one
 * load balancer, whose listener splits the requests across their target groups by weight.
 *
 * With runtime.grpc each revision also has a GRPC target group on the gRPC port, which its group
 * registers the instances in, and the gRPC listener splits the calls across them with the same
 * weights as the requests.
 *
 * The split comes from the `bentoctl_traffic` variable (src/targets/traffic-split.ts), which
 * bentoctl sets at plan time from the state. Each entry is a revision, and each revision gets
 * its own launch template, target group, Auto Scaling group and scaling policy, keyed by the
 * revision's name (`for_each`): a new revision adds a group beside the stable one, `release
 * promote` drops the stable one's entry (its group goes once the listener no longer sends to
 * it), `release abort` keeps the candidate's entry, drained (0 instances, weight 0).
 *
 * The stack is generated from today's config and image only, yet the stable group must keep
 * running what it was created with: a revision's name is a hash of what it runs, so the launch
 * template of a name is created once and its later changes are ignored (a different config
 * makes a different name, never a change under the same one).
 */
import { Token, TerraformIterator, TerraformLocal, TerraformVariable } from 'cdktf';
import type { IResolvable, TerraformStack } from 'cdktf';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group/index.js';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy/index.js';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template/index.js';
import type { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group/index.js';
import { addTargetGroup } from '../common/aws-alb.js';
import type { CidrSource } from '../common/aws-security-rules.js';
import {
  addCandidateListener,
  type CandidateListener,
  type CandidateListenerProps,
} from '../common/candidate-listener.js';
import type { AwsServiceBase } from '../common/aws-service-base.js';
import type { AwsNetwork } from '../common/aws-vpc.js';
import type { SynthInput } from '../synthesizer.js';
import {
  DRAINABLE_TRAFFIC_VARIABLE_TYPE,
  revisionName,
  settledSplit,
  TRAFFIC_VARIABLE,
} from '../traffic-split.js';
import type { AwsEc2GpuSpec } from './spec.js';

/** Longest `terraform apply` waits for a revision's group to pass the load balancer's checks. */
const CAPACITY_TIMEOUT = '30m';

/** What the group of one revision is built from (shared with the rolling group). */
export interface RevisionGroupProps {
  readonly network: AwsNetwork;
  readonly base: AwsServiceBase;
  readonly subnetIds: string[];
  readonly groupChecks: NonNullable<
    NonNullable<ConstructorParameters<typeof AutoscalingGroup>[2]['lifecycle']>['precondition']
  >;
  /** The launch template's settings without its name (the same as the rolling group's). */
  readonly template: Omit<NonNullable<ConstructorParameters<typeof LaunchTemplate>[2]>, 'name'>;
  readonly targetGroup: Parameters<typeof addTargetGroup>[2];
  readonly tags: Readonly<Record<string, string>>;
  /** The boot script the instances run (image, environment, secrets): part of the revision. */
  readonly userDataScript: string;
  /** The runtime's gRPC port: a GRPC target group per revision. @default - HTTP only */
  readonly grpcPort?: number | undefined;
}

/** What clients reach: the split endpoint and, with gRPC on, the split gRPC address. */
export interface RevisionEndpoints {
  /** `http(s)://<dns name>` */
  readonly endpoint: string;
  /** `<dns name>:<gRPC port>`; undefined with gRPC off. */
  readonly grpcEndpoint: string | undefined;
  /** The candidate's own URL and its description: the `candidate_endpoint` output. */
  readonly candidateEndpoint: { readonly value: string; readonly description: string };
}

/** The least instances a canary's candidate keeps: its share of min_instances, at least one. */
export function canaryMinInstances(minInstances: number, percent: number): number {
  return Math.max(1, Math.ceil((minInstances * percent) / 100));
}

/** Adds the groups, the weighted listeners and the candidate's listener; returns the endpoints (the stack declares them). */
export function addRevisionGroups(
  input: SynthInput<AwsEc2GpuSpec>,
  props: RevisionGroupProps,
): RevisionEndpoints {
  const { stack, spec } = input;
  const revision = ec2RevisionName(input, props);
  const traffic = new TerraformVariable(stack, TRAFFIC_VARIABLE, {
    type: DRAINABLE_TRAFFIC_VARIABLE_TYPE,
    default: settledSplit(revision),
    description:
      "Each revision's share of the requests; bentoctl sets it at plan time (bentoctl release status).",
  });
  // Keyed by revision name, never by position: a promote must not turn one group into another.
  const revisions = TerraformIterator.fromComplexList(
    Token.asAny(traffic.value) as IResolvable,
    'revision',
  );

  const targetGroup = addTargetGroup(stack, 'revision_target_group', props.targetGroup, {
    forEach: revisions,
  });
  const { grpcPort } = props;
  const grpcTargetGroup =
    grpcPort === undefined
      ? undefined
      : addTargetGroup(
          stack,
          'revision_grpc_target_group',
          { ...props.targetGroup, targetPort: grpcPort },
          { forEach: revisions, grpc: true },
        );
  const keyed = (resource: KeyedResource, attribute: string) => keyedAttribute(resource, attribute);

  // Launch templates keep their versions (and their names are unique per region), so a
  // revision's template is its own resource, never a version of a shared one.
  const template = new LaunchTemplate(stack, 'revision_launch_template', {
    ...props.template,
    forEach: revisions,
    name: revisions.key,
    lifecycle: {
      ...props.template.lifecycle,
      // What a revision runs is fixed by its name (see above).
      ignoreChanges: 'all',
    },
  });

  const size = groupSize(input);
  const group = new AutoscalingGroup(stack, 'revision_autoscaling_group', {
    forEach: revisions,
    name: revisions.key,
    minSize: size.min,
    maxSize: size.max,
    desiredCapacity: size.min,
    // On promote the candidate grows to min_instances, and the listener moves only once that
    // many instances pass the health checks (it depends on the groups; the stable group goes
    // after the listener no longer sends to it).
    waitForElbCapacity: size.min,
    waitForCapacityTimeout: CAPACITY_TIMEOUT,
    vpcZoneIdentifier: props.subnetIds,
    targetGroupArns: [
      keyed(targetGroup, 'arn'),
      ...(grpcTargetGroup === undefined ? [] : [keyed(grpcTargetGroup, 'arn')]),
    ],
    healthCheckType: 'ELB',
    healthCheckGracePeriod: spec.startup_grace_seconds,
    defaultInstanceWarmup: spec.startup_grace_seconds,
    launchTemplate: {
      id: keyed(template, 'id'),
      version: keyed(template, 'latest_version'),
    },
    lifecycle: {
      ignoreChanges: ['desired_capacity'],
      ...(props.groupChecks.length > 0 ? { precondition: props.groupChecks } : {}),
    },
  });

  // No stickiness: an inference request stands alone, so each one is split by weight. gRPC
  // calls are split by the same weights, each revision's share to its GRPC target group.
  const byRevision = (resource: KeyedResource) => ({
    forEach: `\${{ for entry in var.${TRAFFIC_VARIABLE} : entry.revision => entry }}`,
    arn: keyed(resource, 'arn'),
    weight: '${each.value.percent}',
  });
  const balancer = props.base.addWeightedLoadBalancer(
    {
      targetType: props.targetGroup.targetType,
      deregistrationDelaySeconds: props.targetGroup.deregistrationDelaySeconds,
      healthCheckIntervalSeconds: props.targetGroup.healthCheckIntervalSeconds,
    },
    byRevision(targetGroup),
    grpcTargetGroup === undefined ? undefined : byRevision(grpcTargetGroup),
  );
  // Both listeners move only once the groups passed their checks.
  const groupAddress = `${group.terraformResourceType}.${group.friendlyUniqueId}`;
  balancer.forwardingListener.dependsOn = [groupAddress];
  if (balancer.grpc !== undefined) balancer.grpc.listener.dependsOn = [groupAddress];

  new AutoscalingPolicy(stack, 'revision_autoscaling_policy', {
    forEach: revisions,
    name: `\${each.key}-requests`,
    autoscalingGroupName: keyed(group, 'name'),
    policyType: 'TargetTrackingScaling',
    targetTrackingConfiguration: {
      targetValue: spec.scaling_target,
      predefinedMetricSpecification: {
        predefinedMetricType: 'ALBRequestCountPerTarget',
        resourceLabel: `${balancer.loadBalancer.arnSuffix}/${keyed(targetGroup, 'arn_suffix')}`,
      },
    },
  });

  const candidate = addCandidateRevisionListener(stack, {
    loadBalancer: balancer.loadBalancer,
    securityGroupId: balancer.securityGroupId,
    sources: props.base.sources,
    certificateArn: spec.certificate_arn,
    targetGroup,
  });
  return {
    endpoint: balancer.endpoint,
    grpcEndpoint: balancer.grpc?.endpoint,
    candidateEndpoint: {
      value: candidate.endpoint,
      description: `URL of the newest revision alone (the load balancer's port ${candidate.port}), for a smoke test before it takes traffic`,
    },
  };
}

/**
 * Sizes as Terraform expressions of the entry: a drained candidate (after abort) and a
 * terminated deployment keep no instance; a canary's candidate keeps its share; the rest
 * keep min_instances.
 */
function groupSize(input: SynthInput<AwsEc2GpuSpec>): { min: number; max: number } {
  const { spec, config } = input;
  if (input.lifecycle.terminated) return { min: 0, max: 0 };
  const { release } = config;
  const candidateMin =
    release.strategy === 'canary'
      ? canaryMinInstances(spec.min_instances, release.percent)
      : spec.min_instances;
  const serving =
    candidateMin === spec.min_instances
      ? String(spec.min_instances)
      : `(each.value.tag != null && each.value.percent < 100 ? ${candidateMin} : ${spec.min_instances})`;
  return {
    min: Token.asNumber(`\${each.value.drained ? 0 : ${serving}}`),
    max: Token.asNumber(`\${each.value.drained ? 0 : ${spec.max_instances}}`),
  };
}

/** The candidate port's listener, forwarding to the tagged revision's target group. */
function addCandidateRevisionListener(
  stack: TerraformStack,
  props: {
    readonly loadBalancer: CandidateListenerProps['loadBalancer'];
    readonly securityGroupId: string;
    readonly sources: readonly CidrSource[];
    readonly certificateArn: string | undefined;
    readonly targetGroup: InstanceType<typeof LbTargetGroup>;
  },
): CandidateListener {
  // The tagged entry: the candidate during a release, the settled revision otherwise.
  const candidate = new TerraformLocal(
    stack,
    'candidate_revision',
    `\${[for entry in var.${TRAFFIC_VARIABLE} : entry.revision if entry.tag != null][0]}`,
  );
  return addCandidateListener(stack, {
    id: 'candidate_listener',
    loadBalancer: props.loadBalancer,
    securityGroupId: props.securityGroupId,
    sources: props.sources,
    certificateArn: props.certificateArn,
    ingressDescription: 'The candidate revision alone, from an allowed source',
    defaultAction: [
      {
        type: 'forward',
        targetGroupArn: keyedAttribute(
          props.targetGroup,
          'arn',
          `local.${candidate.friendlyUniqueId}`,
        ),
      },
    ],
  });
}

interface KeyedResource {
  readonly terraformResourceType: string;
  readonly friendlyUniqueId: string;
}

/** `${<type>.<name>[<key>].<attribute>}`: one instance of a `for_each` resource. */
function keyedAttribute(resource: KeyedResource, attribute: string, key = 'each.key'): string {
  return `\${${resource.terraformResourceType}.${resource.friendlyUniqueId}[${key}].${attribute}}`;
}

/**
 * `<deployment>-<12 hex>`: changes exactly when what an instance of the launch template runs
 * does (its boot script, so the image, environment and secrets; the instance type, AMI, volume,
 * key and tags), so group sizes, scaling, the release section or the state backend change the
 * groups in place and never start a candidate of the same thing.
 */
export function ec2RevisionName(
  input: SynthInput<AwsEc2GpuSpec>,
  props: Pick<RevisionGroupProps, 'userDataScript' | 'tags'>,
): string {
  const { spec, config } = input;
  return revisionName(config.name, {
    userData: props.userDataScript,
    instanceType: spec.instance_type,
    ami: spec.ami_id ?? null,
    rootVolumeGib: spec.root_volume_gib,
    keyName: spec.key_name ?? null,
    tags: props.tags,
  });
}
