/**
 * The network both AWS targets run in. bentoctl never assumes a default VPC: it uses the VPC and
 * subnets the spec names, or creates one with a public and a private subnet in each of 2 AZs,
 * one NAT gateway per AZ (an AZ outage does not cut the other AZ's egress) and a default
 * security group stripped of its rules.
 */
import { Fn } from 'cdktf';
import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones/index.js';
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
}

export interface AwsNetwork {
  readonly vpcId: string;
  /** The VPC's IPv4 CIDR: the only source allowed in when `allowed_cidrs` is empty. */
  readonly vpcCidr: string;
  readonly publicSubnetIds: string[];
  readonly privateSubnetIds: string[];
}

const AZ_SUFFIXES = ['a', 'b'] as const;

export function addAwsNetwork(stack: TerraformStack, props: AwsNetworkProps): AwsNetwork {
  if (props.vpcId !== undefined) {
    const existing = new DataAwsVpc(stack, 'vpc', { id: props.vpcId });
    return {
      vpcId: props.vpcId,
      vpcCidr: existing.cidrBlock,
      publicSubnetIds: [...(props.publicSubnetIds ?? [])],
      privateSubnetIds: [...(props.privateSubnetIds ?? [])],
    };
  }

  const zones = new DataAwsAvailabilityZones(stack, 'availability_zones', {
    state: 'available',
    // Local and Wavelength zones lack NAT gateways and most instance types.
    filter: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }],
  });
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
  AZ_SUFFIXES.forEach((suffix, index) => {
    const zone = Fn.element(zones.names, index);
    const publicSubnet = new Subnet(stack, `public_subnet_${suffix}`, {
      vpcId: vpc.id,
      cidrBlock: quarters.at(index),
      availabilityZone: zone,
      mapPublicIpOnLaunch: false,
      tags: { Name: `${props.name}-public-${suffix}`, Tier: 'public' },
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
  return { vpcId: vpc.id, vpcCidr: props.vpcCidr, publicSubnetIds, privateSubnetIds };
}
