/**
 * In an existing VPC, the runtime's private subnets must reach ECR (the image), S3 (its layers)
 * and CloudWatch Logs without a public address: through a NAT (a default route to a NAT gateway,
 * a transit gateway or a NAT instance's interface), or through VPC endpoints. Without either the
 * tasks or instances start, never pull, and apply fails after minutes with a pull timeout; a
 * precondition fails `plan` with the reason instead.
 *
 * - `private_egress: nat` (the default) reads each private subnet's route table (its explicit
 *   association, else the VPC's main table) and requires that default route.
 * - `private_egress: vpc-endpoints` reads the ECR API, ECR Docker, S3 and CloudWatch Logs
 *   endpoints of the VPC (a missing one fails the plan, naming the service) and requires them
 *   available. The S3 gateway endpoint's routes cannot be checked this way: the AWS provider
 *   leaves endpoint routes out of route tables it reads.
 *
 * A new VPC has a NAT gateway per zone, so nothing is checked.
 */
import type { Precondition } from 'cdktf';
import { DataAwsRouteTable } from '@cdktf/provider-aws/lib/data-aws-route-table/index.js';
import { DataAwsRouteTables } from '@cdktf/provider-aws/lib/data-aws-route-tables/index.js';
import { DataAwsVpcEndpoint } from '@cdktf/provider-aws/lib/data-aws-vpc-endpoint/index.js';
import type { Construct } from 'constructs';

export const PRIVATE_EGRESS = ['nat', 'vpc-endpoints'] as const;
export type PrivateEgress = (typeof PRIVATE_EGRESS)[number];

/** The endpoints a private subnet needs without a NAT: `com.amazonaws.<region>.<service>`. */
export const REQUIRED_ENDPOINTS = ['ecr.api', 'ecr.dkr', 's3', 'logs'] as const;

export function privateEgressPrecondition(
  scope: Construct,
  props: {
    readonly vpcId: string;
    readonly region: string;
    readonly privateSubnetIds: readonly string[];
    readonly egress: PrivateEgress;
  },
): Precondition {
  if (props.egress === 'vpc-endpoints') {
    const ids = REQUIRED_ENDPOINTS.map((service) => {
      const id = `vpc_endpoint_${service.replace('.', '_')}`;
      new DataAwsVpcEndpoint(scope, id, {
        vpcId: props.vpcId,
        serviceName: `com.amazonaws.${props.region}.${service}`,
      });
      return `data.aws_vpc_endpoint.${id}`;
    });
    return {
      condition: `\${alltrue([for endpoint in [${ids.join(', ')}] : endpoint.state == "available"])}`,
      errorMessage: `private_egress is vpc-endpoints, so the VPC's endpoints for ${REQUIRED_ENDPOINTS.join(', ')} (com.amazonaws.${props.region}.<service>) must be available; wait for them or fix them, or set private_egress: nat when the private subnets route through a NAT.`,
    };
  }
  // A subnet without an explicit association uses the VPC's main route table.
  new DataAwsRouteTables(scope, 'private_main_route_table', {
    vpcId: props.vpcId,
    filter: [{ name: 'association.main', values: ['true'] }],
  });
  const tables = props.privateSubnetIds.map((subnetId, index) => {
    const id = `private_subnet_${index + 1}_route_table`;
    new DataAwsRouteTables(scope, `${id}s`, {
      vpcId: props.vpcId,
      filter: [{ name: 'association.subnet-id', values: [subnetId] }],
    });
    new DataAwsRouteTable(scope, id, {
      routeTableId: `\${concat(data.aws_route_tables.${id}s.ids, data.aws_route_tables.private_main_route_table.ids)[0]}`,
    });
    return `data.aws_route_table.${id}`;
  });
  const natRoute =
    'route.cidr_block == "0.0.0.0/0" && (route.nat_gateway_id != "" || route.transit_gateway_id != "" || route.network_interface_id != "")';
  return {
    condition: `\${alltrue([for table in [${tables.join(', ')}] : anytrue([for route in table.routes : ${natRoute}])])}`,
    errorMessage: `Every private subnet (spec.private_subnet_ids) must reach ECR, S3 and CloudWatch Logs: its route table needs a default route (0.0.0.0/0) through a NAT gateway, a transit gateway or a NAT instance. Add one, or set private_egress: vpc-endpoints when the VPC has endpoints for ${REQUIRED_ENDPOINTS.join(', ')}.`,
  };
}
