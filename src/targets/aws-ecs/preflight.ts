import type { PreflightContext, SpecIssue } from '../target.js';
import { checkCertificateRegion } from '../common/aws-certificate.js';
import { checkAwsNetwork } from '../common/aws-network-fields.js';
import { checkAwsService } from '../common/aws-service-checks.js';
import { checkInstanceBounds, checkPublicNeedsCidrs } from '../common/spec-fields.js';
import { closestFargateMemory, fargateMemoryOptions } from './fargate-sizes.js';
import type { AwsEcsSpec } from './spec.js';

/** Fargate size pairs and network consistency; the schema has already checked each field. */
export function preflightAwsEcs(
  spec: AwsEcsSpec,
  context: Pick<PreflightContext, 'name' | 'runtime' | 'image'>,
): SpecIssue[] {
  const issues: SpecIssue[] = [
    ...checkInstanceBounds(spec),
    ...checkAwsNetwork(spec),
    ...checkPublicNeedsCidrs(spec),
    ...checkCertificateRegion(spec),
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
