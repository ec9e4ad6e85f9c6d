import { checkInstanceBounds } from '../common/spec-fields.js';
import type { SpecIssue } from '../target.js';
import {
  CLOUD_RUN_CPU_FOR_MEMORY,
  CLOUD_RUN_GPU_MIN_CPU,
  CLOUD_RUN_GPU_MIN_MEMORY_MIB,
  CLOUD_RUN_GPU_REGIONS,
  CLOUD_RUN_MEMORY_FOR_CPU,
  CLOUD_RUN_WHOLE_CPUS,
} from './limits.js';
import type { CloudRunSpec } from './spec.js';

/** Cloud Run rules that tie cpu, memory, concurrency, GPU and region together. */
export function preflightCloudRun(spec: CloudRunSpec): SpecIssue[] {
  const issues: SpecIssue[] = [...checkInstanceBounds(spec)];
  const wholeCpus: readonly number[] = CLOUD_RUN_WHOLE_CPUS;
  if (spec.cpu > 1 && !wholeCpus.includes(spec.cpu)) {
    const closest = [...wholeCpus].sort((a, b) => Math.abs(a - spec.cpu) - Math.abs(b - spec.cpu))[0];
    issues.push({
      path: ['cpu'],
      message: `Cloud Run takes fractional cpu only up to 1; above that one of ${wholeCpus.join(', ')}`,
      suggestion: String(closest),
    });
  }
  if (spec.cpu < 1 && spec.concurrency > 1) {
    issues.push({
      path: ['concurrency'],
      message: `cpu ${spec.cpu} is below 1, and Cloud Run then allows only concurrency 1`,
      suggestion: '1',
    });
  }
  const needCpu = CLOUD_RUN_CPU_FOR_MEMORY.find((rule) => spec.memory > rule.aboveMiB);
  if (needCpu !== undefined && spec.cpu < needCpu.minCpu) {
    issues.push({
      path: ['cpu'],
      message: `memory ${spec.memory} MiB needs at least ${needCpu.minCpu} CPUs on Cloud Run`,
      suggestion: String(needCpu.minCpu),
    });
  }
  const needMemory = CLOUD_RUN_MEMORY_FOR_CPU.find((rule) => spec.cpu === rule.cpu);
  if (needMemory !== undefined && spec.memory < needMemory.minMiB) {
    issues.push({
      path: ['memory'],
      message: `cpu ${spec.cpu} needs at least ${needMemory.minMiB} MiB of memory on Cloud Run`,
      suggestion: String(needMemory.minMiB),
    });
  }
  if (spec.gpu !== undefined) {
    const gpuRegions: readonly string[] = CLOUD_RUN_GPU_REGIONS;
    if (!gpuRegions.includes(spec.region)) {
      issues.push({
        path: ['region'],
        message: `Cloud Run offers GPUs only in ${gpuRegions.join(', ')}`,
        suggestion: `${gpuRegions[0]}`,
      });
    }
    if (spec.cpu < CLOUD_RUN_GPU_MIN_CPU) {
      issues.push({
        path: ['cpu'],
        message: `a GPU instance needs at least ${CLOUD_RUN_GPU_MIN_CPU} CPUs`,
        suggestion: String(CLOUD_RUN_GPU_MIN_CPU),
      });
    }
    if (spec.memory < CLOUD_RUN_GPU_MIN_MEMORY_MIB) {
      issues.push({
        path: ['memory'],
        message: `a GPU instance needs at least ${CLOUD_RUN_GPU_MIN_MEMORY_MIB} MiB of memory`,
        suggestion: String(CLOUD_RUN_GPU_MIN_MEMORY_MIB),
      });
    }
  }
  return issues;
}
