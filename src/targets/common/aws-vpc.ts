/**
 * The network both AWS targets run in. bentoctl never assumes a default VPC: it uses the VPC and
 * subnets the spec names, or creates one with a public and a private subnet in each of 2 AZs,
 * one NAT gateway per AZ (an AZ outage does not cut the other AZ's egress) and a default
 * security group stripped of its rules.
 */
import { Fn, Op, TerraformLocal, type Precondition } from 'cdktf';
import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones/index.js';
import { DataAwsSubnet } from '@cdktf/provider-aws/lib/data-aws-subnet/index.js';
import { DataAwsVpc } from '@cdktf/provider-aws/lib/data-aws-vpc/index.js';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group/index.js';
import { Eip } from '@cdktf/provider-aws/lib/eip/index.js';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway/index.js';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway/index.js';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association/index.js';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table/index.js';
import { Route } from '@cdktf/provider-aws/lib/route/index.js';
import { Subnet } from '@cdktf/provider-aws/lib/subnet/index.js';
import { Vpc } from '@cdktf/provider-aws/lib/vpc/index.js';
import type { TerraformStack } from 'cdktf';
import { privateEgressPrecondition, type PrivateEgress } from './aws-private-egress.js';
import { splitIpv4Cidr } from './ipv4-subnets.js';

export interface AwsNetworkProps {
  /** Prefix of Name tags. */
  readonly name: string;
  /** @default - a new VPC is created */
  readonly vpcId?: string | undefined;
  readonly publicSubnetIds?: readonly string[] | undefined;
  readonly privateSubnetIds?: readonly string[] | undefined;
  /** CIDR of the VPC created when vpcId is not given. */
  readonly vpcCidr: string;
  /** How an existing VPC's private subnets reach AWS services (aws-private-egress.ts). */
  readonly privateEgress: PrivateEgress;
  readonly region: string;
  /**
   * Zones a new VPC may use (a Terraform list, e.g. where an instance type is offered).
   * @default - every available zone of the region
   */
  readonly offeredZones?: string[];
}

export interface AwsNetwork {
  /** An existing VPC named by the spec, rather than one the stack creates. */
  readonly existing: boolean;
  readonly vpcId: string;
  /** The VPC's IPv4 CIDR: the only source allowed in when `allowed_cidrs` is empty. */
  readonly vpcCidr: string;
  readonly publicSubnetIds: string[];
  readonly privateSubnetIds: string[];
  /** The zone of each subnet (Terraform expressions), in the order of the id lists. */
  readonly publicSubnetZones: string[];
  readonly privateSubnetZones: string[];
  /**
   * Whether two subnets of a list may share a zone: true for an existing VPC (the spec names
   * subnets, the zones are known at plan) and for a new one limited to `offeredZones`. Resources
   * that need two zones then check it with a precondition.
   */
  readonly zonesMayRepeat: boolean;
  /** What to do when a zone precondition fails, for its message. */
  readonly zoneFix: (tier: 'public' | 'private') => string;
  /**
   * For an existing VPC: that its private subnets reach ECR, S3 and CloudWatch Logs, on every
   * resource that runs in them. @default - none: a new VPC has NAT gateways
   */
  readonly privateEgressCheck?: Precondition;
}

/**
 * A precondition that `zones` span two zones or more (an ALB refuses fewer, and an HA service
 * wants them), failing plan with `what` instead of an API error halfway through apply.
 */
export function spansTwoZones(
  network: AwsNetwork,
  tier: 'public' | 'private',
  what: string,
): Precondition {
  const zones = tier === 'public' ? network.publicSubnetZones : network.privateSubnetZones;
  return {
    condition: Op.gte(Fn.lengthOf(Fn.distinct([...zones])), 2),
    errorMessage: `${what} must be in at least 2 availability zones: ${network.zoneFix(tier)}.`,
  };
}

const AZ_SUFFIXES = ['a', 'b'] as const;

export function addAwsNetwork(stack: TerraformStack, props: AwsNetworkProps): AwsNetwork {
  if (props.vpcId !== undefined) {
    const existing = new DataAwsVpc(stack, 'vpc', { id: props.vpcId });
    // Reading each subnet gives its zone at plan time, for the zone preconditions.
    const zonesOf = (tier: 'public' | 'private', ids: readonly string[]) =>
      ids.map(
        (id, index) =>
          new DataAwsSubnet(stack, `${tier}_subnet_${index + 1}`, { id }).availabilityZone,
      );
    const publicSubnetIds = [...(props.publicSubnetIds ?? [])];
    const privateSubnetIds = [...(props.privateSubnetIds ?? [])];
    return {
      existing: true,
      vpcId: props.vpcId,
      vpcCidr: existing.cidrBlock,
      publicSubnetIds,
      privateSubnetIds,
      publicSubnetZones: zonesOf('public', publicSubnetIds),
      privateSubnetZones: zonesOf('private', privateSubnetIds),
      zonesMayRepeat: true,
      zoneFix: (tier) => `list subnets of two zones or more in spec.${tier}_subnet_ids`,
      privateEgressCheck: privateEgressPrecondition(stack, {
        vpcId: props.vpcId,
        region: props.region,
        privateSubnetIds,
        egress: props.privateEgress,
      }),
    };
  }

  const zones = new DataAwsAvailabilityZones(stack, 'availability_zones', {
    state: 'available',
    // Local and Wavelength zones lack NAT gateways and most instance types.
    filter: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }],
  });
  const zoneNames =
    props.offeredZones !== undefined
      ? new TerraformLocal(
          stack,
          'offered_zones',
          Fn.sort(Fn.setintersection(zones.names, [props.offeredZones])),
        ).asList
      : zones.names;
  const vpc = new Vpc(stack, 'vpc', {
    cidrBlock: props.vpcCidr,
    enableDnsHostnames: true,
    enableDnsSupport: true,
    tags: { Name: props.name },
  });
  // Without rules the default group lets nothing in or out, so nothing can fall back on it.
  new DefaultSecurityGroup(stack, 'default_security_group', { vpcId: vpc.id });
  const gateway = new InternetGateway(stack, 'internet_gateway', {
    vpcId: vpc.id,
    tags: { Name: props.name },
  });
  // Routes are separate resources: inline route blocks would render every optional field.
  const publicRoutes = new RouteTable(stack, 'public_route_table', {
    vpcId: vpc.id,
    tags: { Name: `${props.name}-public` },
  });
  new Route(stack, 'public_default_route', {
    routeTableId: publicRoutes.id,
    destinationCidrBlock: '0.0.0.0/0',
    gatewayId: gateway.id,
  });

  // Four equal quarters: public a, public b, private a, private b.
  const quarters = splitIpv4Cidr(props.vpcCidr, 2);
  const publicSubnetIds: string[] = [];
  const privateSubnetIds: string[] = [];
  const subnetZones: string[] = [];
  AZ_SUFFIXES.forEach((suffix, index) => {
    const zone = Fn.element(zoneNames, index) as string;
    subnetZones.push(zone);
    const publicSubnet = new Subnet(stack, `public_subnet_${suffix}`, {
      vpcId: vpc.id,
      cidrBlock: quarters.at(index),
      availabilityZone: zone,
      mapPublicIpOnLaunch: false,
      tags: { Name: `${props.name}-public-${suffix}`, Tier: 'public' },
      // element() of an empty list fails with no hint of why the list is empty.
      ...(props.offeredZones !== undefined && index === 0
        ? {
            lifecycle: {
              precondition: [
                {
                  condition: Op.gte(Fn.lengthOf(zoneNames), 1),
                  errorMessage:
                    'No availability zone of this region offers the instance type; pick another instance_type or region.',
                },
              ],
            },
          }
        : {}),
    });
    new RouteTableAssociation(stack, `public_route_table_association_${suffix}`, {
      subnetId: publicSubnet.id,
      routeTableId: publicRoutes.id,
    });
    const natAddress = new Eip(stack, `nat_eip_${suffix}`, {
      domain: 'vpc',
      tags: { Name: `${props.name}-nat-${suffix}` },
    });
    const nat = new NatGateway(stack, `nat_gateway_${suffix}`, {
      allocationId: natAddress.allocationId,
      subnetId: publicSubnet.id,
      tags: { Name: `${props.name}-${suffix}` },
      dependsOn: [gateway],
    });
    const privateSubnet = new Subnet(stack, `private_subnet_${suffix}`, {
      vpcId: vpc.id,
      cidrBlock: quarters.at(AZ_SUFFIXES.length + index),
      availabilityZone: zone,
      tags: { Name: `${props.name}-private-${suffix}`, Tier: 'private' },
    });
    const privateRoutes = new RouteTable(stack, `private_route_table_${suffix}`, {
      vpcId: vpc.id,
      tags: { Name: `${props.name}-private-${suffix}` },
    });
    new Route(stack, `private_default_route_${suffix}`, {
      routeTableId: privateRoutes.id,
      destinationCidrBlock: '0.0.0.0/0',
      natGatewayId: nat.id,
    });
    new RouteTableAssociation(stack, `private_route_table_association_${suffix}`, {
      subnetId: privateSubnet.id,
      routeTableId: privateRoutes.id,
    });
    publicSubnetIds.push(publicSubnet.id);
    privateSubnetIds.push(privateSubnet.id);
  });
  return {
    existing: false,
    vpcId: vpc.id,
    vpcCidr: props.vpcCidr,
    publicSubnetIds,
    privateSubnetIds,
    publicSubnetZones: subnetZones,
    privateSubnetZones: subnetZones,
    zonesMayRepeat: props.offeredZones !== undefined,
    zoneFix: () =>
      'the instance type is offered in fewer than 2 zones of this region; pick another instance_type or region, or run one instance (max_instances: 1)',
  };
}
