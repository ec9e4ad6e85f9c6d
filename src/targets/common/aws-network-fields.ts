/**
 * Network fields of the AWS targets. bentoctl never assumes a default VPC: either all of an
 * existing VPC's ids are given, or it creates a VPC with public and private subnets in 2 AZs.
 */
import { z } from 'zod';
import { cidrSchema } from './cidr.js';
import type { SpecIssue } from '../target.js';
import { PRIVATE_EGRESS } from './aws-private-egress.js';

const subnetIds = z.array(
  z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'must look like subnet-0abc1234'),
);

/** An ACM certificate for the HTTPS listener of a load balancer. */
export const acmCertificateArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/,
    'must be an ACM certificate ARN',
  );

export const awsNetworkFields = {
  vpc_id: z
    .string()
    .regex(/^vpc-[0-9a-f]{8,17}$/, 'must look like vpc-0abc1234')
    .optional()
    .meta({ description: 'Existing VPC to deploy into. @default - a new VPC is created' }),
  public_subnet_ids: subnetIds
    .optional()
    .meta({ description: 'Public subnets (load balancer) of vpc_id, in at least 2 AZs.' }),
  private_subnet_ids: subnetIds
    .optional()
    .meta({ description: 'Private subnets (instances/tasks) of vpc_id, in at least 2 AZs.' }),
  private_egress: z.enum(PRIVATE_EGRESS).default('nat').meta({
    description:
      'How the private subnets of vpc_id reach ECR, S3 and CloudWatch Logs: nat (a default route through a NAT or transit gateway) or vpc-endpoints (endpoints for ecr.api, ecr.dkr, s3 and logs). Checked at plan.',
  }),
  vpc_cidr: cidrSchema
    .default('10.0.0.0/16')
    .meta({ description: 'CIDR of the VPC bentoctl creates when vpc_id is not given.' }),
};

interface AwsNetworkSpec {
  vpc_id?: string | undefined;
  public_subnet_ids?: readonly string[] | undefined;
  private_subnet_ids?: readonly string[] | undefined;
  private_egress: string;
  vpc_cidr: string;
}

/** AWS VPCs take /16 to /28; bentoctl splits the VPC in four, each at least a /26. */
const VPC_PREFIX = { min: 16, max: 24 } as const;

/** An existing VPC needs both subnet lists with 2+ subnets each; subnets need their VPC. */
export function checkAwsNetwork(spec: AwsNetworkSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const lists = ['public_subnet_ids', 'private_subnet_ids'] as const;
  if (spec.vpc_id === undefined) {
    const [address = '', prefix = ''] = spec.vpc_cidr.split('/');
    const bits = Number(prefix);
    if (address.includes(':') || bits < VPC_PREFIX.min || bits > VPC_PREFIX.max) {
      issues.push({
        path: ['vpc_cidr'],
        message: `vpc_cidr ${spec.vpc_cidr} must be an IPv4 block from /${VPC_PREFIX.min} to /${VPC_PREFIX.max}: it is split into 2 public and 2 private subnets`,
        suggestion: '10.0.0.0/16',
      });
    }
    for (const key of lists) {
      if (spec[key] !== undefined) {
        issues.push({ path: [key], message: `${key} is given without vpc_id; set vpc_id too` });
      }
    }
    if (spec.private_egress !== 'nat') {
      issues.push({
        path: ['private_egress'],
        message: `private_egress ${spec.private_egress} describes an existing VPC, but no vpc_id is given: the VPC bentoctl creates has a NAT gateway per zone; drop private_egress or set vpc_id`,
        suggestion: 'nat',
      });
    }
    return issues;
  }
  for (const key of lists) {
    const ids = spec[key];
    if (ids === undefined || ids.length < 2) {
      issues.push({
        path: [key],
        message: `vpc_id is given, so ${key} must list at least 2 subnets in different AZs`,
      });
    }
  }
  return issues;
}
