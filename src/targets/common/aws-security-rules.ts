/**
 * Security group rules as separate resources (one per source and port), the form AWS
 * recommends: each rule has its own address and description, and a change to one source shows
 * as one rule in the plan instead of a rewrite of the whole group.
 */
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule/index.js';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule/index.js';
import type { TerraformStack } from 'cdktf';

export interface PortRule {
  /** Construct ID (Terraform name) of the rule. */
  readonly id: string;
  readonly securityGroupId: string;
  readonly port: number;
  readonly description: string;
}

/** A source CIDR and the suffix of its rule's ID. */
export interface CidrSource {
  readonly key: string;
  /** IPv4 or IPv6; a token (an existing VPC's CIDR) counts as IPv4. */
  readonly cidr: string;
}

/**
 * Who may reach an endpoint: the VPC itself always (services next to it), plus the allowed
 * CIDRs. Rule IDs are derived from the CIDR, not its position, so removing one source does not
 * rename, and replace, the rules of the others.
 */
export function endpointSources(vpcCidr: string, allowedCidrs: readonly string[]): CidrSource[] {
  const others = allowedCidrs.filter((cidr) => cidr !== vpcCidr);
  return [
    { key: 'vpc', cidr: vpcCidr },
    ...others.map((cidr) => ({ key: cidr.replace(/[^0-9a-fA-F]+/g, '_').toLowerCase(), cidr })),
  ];
}

/** Opens `port` to each source; rule IDs are `<rule.id>_<source.key>`. */
export function allowFromCidrs(
  stack: TerraformStack,
  rule: PortRule,
  sources: readonly CidrSource[],
): void {
  for (const source of sources) {
    new VpcSecurityGroupIngressRule(stack, `${rule.id}_${source.key}`, {
      securityGroupId: rule.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: rule.port,
      toPort: rule.port,
      ...(source.cidr.includes(':') ? { cidrIpv6: source.cidr } : { cidrIpv4: source.cidr }),
      description: rule.description,
    });
  }
}

/** Opens `port` on one group to another group only (e.g. tasks reachable only from the ALB). */
export function allowFromGroup(stack: TerraformStack, rule: PortRule, sourceGroupId: string): void {
  new VpcSecurityGroupIngressRule(stack, rule.id, {
    securityGroupId: rule.securityGroupId,
    ipProtocol: 'tcp',
    fromPort: rule.port,
    toPort: rule.port,
    referencedSecurityGroupId: sourceGroupId,
    description: rule.description,
  });
}

/** Lets a group send to `port` of another group only (e.g. the ALB to its targets). */
export function allowToGroup(stack: TerraformStack, rule: PortRule, targetGroupId: string): void {
  new VpcSecurityGroupEgressRule(stack, rule.id, {
    securityGroupId: rule.securityGroupId,
    ipProtocol: 'tcp',
    fromPort: rule.port,
    toPort: rule.port,
    referencedSecurityGroupId: targetGroupId,
    description: rule.description,
  });
}

/**
 * HTTPS out to anywhere: ECR, S3 image layers, CloudWatch Logs, Secrets Manager and SSM are
 * public AWS endpoints reached through the NAT gateway. DNS and the time service are link-local
 * and not filtered by security groups, so nothing else is needed.
 */
export function allowHttpsOut(stack: TerraformStack, id: string, securityGroupId: string): void {
  new VpcSecurityGroupEgressRule(stack, id, {
    securityGroupId,
    ipProtocol: 'tcp',
    fromPort: 443,
    toPort: 443,
    cidrIpv4: '0.0.0.0/0',
    description: 'HTTPS to AWS APIs (ECR, logs, secrets)',
  });
}
