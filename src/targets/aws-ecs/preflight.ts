import type { PreflightContext, SpecIssue } from '../target.js';
import { checkCertificateRegion, checkGrpcCertificate } from '../common/aws-certificate.js';
import { checkGrpcListenerPort } from '../common/aws-grpc-port.js';
import { checkAwsNetwork } from '../common/aws-network-fields.js';
import { checkAwsService } from '../common/aws-service-checks.js';
import { checkInstanceBounds, checkPublicNeedsCidrs } from '../common/spec-fields.js';
import { closestFargateMemory, fargateMemoryOptions } from './fargate-sizes.js';
import type { AwsEcsSpec } from './spec.js';

/** Fargate size pairs and network consistency; the schema has already checked each field. */
export function preflightAwsEcs(
  spec: AwsEcsSpec,
  context: Pick<PreflightContext, 'name' | 'runtime' | 'image'> &
    Partial<Pick<PreflightContext, 'release'>>,
): SpecIssue[] {
  const issues: SpecIssue[] = [
    ...checkInstanceBounds(spec),
    ...checkAwsNetwork(spec),
    ...checkPublicNeedsCidrs(spec),
    ...checkCertificateRegion(spec),
    ...checkGrpcCertificate(spec, context.runtime.grpc),
    ...checkGrpcListenerPort(spec, context.runtime.grpc, context.release?.strategy ?? 'rolling'),
    ...checkAwsService(spec, context),
  ];
  if (context.runtime.device === 'gpu') {
    issues.push({
      path: [],
      message:
        'runtime.device is gpu but Fargate has no GPUs; use target aws-ec2-gpu, or runtime.device: cpu',
    });
  }
  if (
    spec.scaling_metric === 'cpu' &&
    spec.scaling_target !== undefined &&
    spec.scaling_target > 100
  ) {
    issues.push({
      path: ['scaling_target'],
      message: `scaling_target ${spec.scaling_target} is a CPU percentage here (scaling_metric: cpu) and cannot exceed 100`,
      suggestion: '60',
    });
  }
  const strategy = context.release?.strategy ?? 'rolling';
  if (strategy !== 'rolling' && spec.scaling_metric === 'requests') {
    // ALBRequestCountPerTarget names one target group, and ECS moves the tasks to the other
    // one on every canary or blue-green deployment.
    issues.push({
      path: ['scaling_metric'],
      message: `scaling_metric requests counts the requests of one target group, but a ${strategy} release moves the tasks between two; use cpu`,
      suggestion: 'cpu',
    });
  }
  if (!fargateMemoryOptions(spec.cpu).includes(spec.memory)) {
    const options = fargateMemoryOptions(spec.cpu);
    issues.push({
      path: ['memory'],
      message: `Fargate does not offer ${spec.memory} MiB with cpu ${spec.cpu}; valid: ${options[0]}-${options.at(-1)} MiB in steps of ${(options[1] ?? 0) - (options[0] ?? 0)}`,
      suggestion: `${closestFargateMemory(spec.cpu, spec.memory)}`,
    });
  }
  return issues;
}
