/**
 * Rules both AWS targets share that AWS would otherwise enforce only at apply (or not at all):
 * names it refuses, addresses its IPv4-only network cannot serve, a bearer token that would
 * cross the internet in plain text, and an image it could not pull.
 */
import type { PreflightContext, SpecIssue } from '../target.js';
import { awsImagePullProblem } from './aws-image-pull.js';

interface AwsServiceCheckSpec {
  readonly public: boolean;
  readonly allowed_cidrs: readonly string[];
  readonly certificate_arn?: string | undefined;
  readonly image_pull_secret?: string | undefined;
}

export function checkAwsService(
  spec: AwsServiceCheckSpec,
  context: Pick<PreflightContext, 'name' | 'runtime' | 'image'>,
): SpecIssue[] {
  const issues: SpecIssue[] = [];
  // Security group names are `<name>-alb`, `<name>-tasks`, `<name>-instance`; EC2 refuses any
  // group name that starts with `sg-` (the prefix of group ids).
  if (context.name.startsWith('sg-')) {
    issues.push({
      scope: 'config',
      path: ['name'],
      message: `AWS refuses security group names that start with sg-, and ${context.name} names this deployment's security groups; pick a name that does not start with sg-`,
      suggestion: context.name.replace(/^sg-/, ''),
    });
  }
  spec.allowed_cidrs.forEach((cidr, index) => {
    if (!cidr.includes(':')) return;
    issues.push({
      path: ['allowed_cidrs', index],
      message: `${cidr} is IPv6, but the load balancer and the network bentoctl builds are IPv4-only, so no IPv6 client could reach the endpoint; list IPv4 blocks only (0.0.0.0/0 for everyone)`,
    });
  });
  if (spec.public && context.runtime.auth.mode === 'bearer' && spec.certificate_arn === undefined) {
    issues.push({
      path: ['certificate_arn'],
      message:
        'a public endpoint with bearer auth and no certificate_arn would carry the token over plain HTTP across the internet; set certificate_arn (an ACM certificate for HTTPS at the load balancer, which aws-ec2-gpu has when max_instances > 1), or keep the endpoint private (public: false)',
    });
  }
  const repository = context.image.repository;
  const pullProblem =
    repository !== undefined ? awsImagePullProblem(repository, spec.image_pull_secret) : undefined;
  if (pullProblem !== undefined) {
    issues.push({ scope: 'config', path: ['image', 'repository'], message: pullProblem });
  }
  return issues;
}
