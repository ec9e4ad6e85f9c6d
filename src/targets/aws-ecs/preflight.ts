import type { SpecIssue } from '../target.js';
import { checkAwsNetwork } from '../common/aws-network-fields.js';
import { checkInstanceBounds, checkPublicNeedsCidrs } from '../common/spec-fields.js';
import { closestFargateMemory, fargateMemoryOptions } from './fargate-sizes.js';
import type { AwsEcsSpec } from './spec.js';

/** Fargate size pairs and network consistency; the schema has already checked each field. */
export function preflightAwsEcs(spec: AwsEcsSpec): SpecIssue[] {
  const issues: SpecIssue[] = [
    ...checkInstanceBounds(spec),
    ...checkAwsNetwork(spec),
    ...checkPublicNeedsCidrs(spec),
  ];
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
