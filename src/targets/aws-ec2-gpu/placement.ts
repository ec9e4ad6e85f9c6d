/**
 * Where a GPU instance may land. GPU types are offered in only some zones of a region (g5 is
 * missing from some us-east-1 zones), and EC2 reports that only when the launch fails, halfway
 * through an apply or, worse, on a later scale-out. The stack reads the offering at plan time:
 * a new VPC is built in offered zones, an existing VPC's subnets are filtered to them, and a
 * precondition fails plan when none (or, behind an ALB, fewer than two zones) remain.
 */
import { Fn, Op, Token, conditional, type Precondition, type TerraformStack } from 'cdktf';
import { DataAwsEc2InstanceTypeOfferings } from '@cdktf/provider-aws/lib/data-aws-ec2-instance-type-offerings/index.js';
import type { AwsNetwork } from '../common/aws-vpc.js';

/** The zones of the region that offer `instanceType` (a Terraform list). */
export function addOfferedZones(stack: TerraformStack, instanceType: string): string[] {
  return new DataAwsEc2InstanceTypeOfferings(stack, 'instance_type_zones', {
    locationType: 'availability-zone',
    filter: [{ name: 'instance-type', values: [instanceType] }],
  }).locations;
}

export interface Placement {
  /** The subnets to launch in, in the spec's order. */
  readonly subnetIds: string[];
  /** The first of them, for a single instance. */
  readonly firstSubnetId: string;
  /** Fails plan when no subnet is left to launch in. */
  readonly precondition?: Precondition;
}

/**
 * The subnets of `tier` in zones that offer the type. A new VPC's subnets already are; an
 * existing VPC's are filtered, since the spec may list a subnet of a zone without the type.
 */
export function offeredSubnets(
  network: AwsNetwork,
  tier: 'public' | 'private',
  offeredZones: string[],
  instanceType: string,
): Placement {
  const ids = tier === 'public' ? network.publicSubnetIds : network.privateSubnetIds;
  if (!network.existing) return { subnetIds: ids, firstSubnetId: ids[0] ?? '' };
  const zones = tier === 'public' ? network.publicSubnetZones : network.privateSubnetZones;
  const subnetIds = Fn.compact(
    ids.map((id, index) =>
      Token.asString(conditional(Fn.contains(offeredZones, zones[index]), id, '')),
    ),
  );
  return {
    subnetIds,
    firstSubnetId: Token.asString(Fn.element(subnetIds, 0)),
    precondition: {
      condition: Op.gte(Fn.lengthOf(subnetIds), 1),
      errorMessage: `None of spec.${tier}_subnet_ids is in an availability zone that offers ${instanceType}; add a subnet of an offering zone, or pick another instance_type.`,
    },
  };
}
