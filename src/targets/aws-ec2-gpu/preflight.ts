import { distance } from 'fastest-levenshtein';
import { checkCertificateRegion, checkGrpcCertificate } from '../common/aws-certificate.js';
import { checkGrpcListenerPort } from '../common/aws-grpc-port.js';
import { checkAwsNetwork } from '../common/aws-network-fields.js';
import { checkAwsService } from '../common/aws-service-checks.js';
import { checkInstanceBounds, checkPublicNeedsCidrs } from '../common/spec-fields.js';
import type { PreflightContext, SpecIssue } from '../target.js';
import { EC2_GPU_FAMILIES, instanceFamily } from './gpu-families.js';
import type { AwsEc2GpuSpec } from './spec.js';

/** GPU families only, SSH only with both a key and a CIDR, and the shared AWS rules. */
export function preflightAwsEc2Gpu(
  spec: AwsEc2GpuSpec,
  context: Pick<PreflightContext, 'name' | 'runtime' | 'image'> &
    Partial<Pick<PreflightContext, 'release'>>,
): SpecIssue[] {
  const issues: SpecIssue[] = [
    ...checkInstanceBounds(spec),
    ...checkAwsNetwork(spec),
    ...checkPublicNeedsCidrs(spec),
    ...checkCertificateRegion(spec),
    // A single instance serves gRPC itself, plaintext like its HTTP port; only the load
    // balancer needs the HTTPS listener.
    ...(spec.max_instances > 1
      ? [
          ...checkGrpcCertificate(spec, context.runtime.grpc),
          ...checkGrpcListenerPort(
            spec,
            context.runtime.grpc,
            context.release?.strategy ?? 'rolling',
          ),
        ]
      : []),
    ...checkAwsService(spec, context),
  ];
  if (spec.certificate_arn !== undefined && spec.max_instances === 1) {
    issues.push({
      path: ['certificate_arn'],
      message:
        'certificate_arn needs the load balancer, which exists only when max_instances > 1; raise max_instances or drop the certificate',
    });
  }
  const strategy = context.release?.strategy ?? 'rolling';
  if (strategy !== 'rolling' && spec.max_instances === 1) {
    // Said before "not built yet": even when it is, one instance has nothing to split across.
    issues.push({
      path: ['release', 'strategy'],
      scope: 'config',
      message: `a ${strategy} release needs a load balancer in front of two groups of instances, and a single instance (max_instances: 1) has none; use rolling, or max_instances of at least 2 (and a GPU quota for the extra instances)`,
      suggestion: 'rolling',
    });
  }
  const family = instanceFamily(spec.instance_type);
  const families: readonly string[] = EC2_GPU_FAMILIES;
  if (!families.includes(family)) {
    const closest = [...families].sort((a, b) => distance(a, family) - distance(b, family))[0];
    issues.push({
      path: ['instance_type'],
      message: `${spec.instance_type} is not an NVIDIA GPU instance type; families: ${families.join(', ')}`,
      suggestion: `${closest}.xlarge`,
    });
  }
  if (spec.ssh_cidr?.includes(':') === true) {
    issues.push({
      path: ['ssh_cidr'],
      message: `${spec.ssh_cidr} is IPv6, but the instance's network is IPv4-only; give an IPv4 block`,
    });
  }
  if ((spec.key_name === undefined) !== (spec.ssh_cidr === undefined)) {
    const missing = spec.key_name === undefined ? 'key_name' : 'ssh_cidr';
    issues.push({
      path: [missing],
      message: `SSH needs both key_name and ssh_cidr; ${missing} is missing (leave both out to use SSM only)`,
    });
  }
  return issues;
}
