import { checkInstanceBounds } from '../common/spec-fields.js';
import { stackLabels } from '../stack-labels.js';
import type { PreflightContext, SpecIssue } from '../target.js';
import { checkGcpLabels } from './labels.js';
import {
  CLOUD_RUN_CPU_FOR_MEMORY,
  CLOUD_RUN_FRACTIONAL_CPU_MEMORY,
  CLOUD_RUN_GEN2_MIN_MEMORY_MIB,
  CLOUD_RUN_GPU_MIN_CPU,
  CLOUD_RUN_GPU_MIN_MEMORY_MIB,
  CLOUD_RUN_GPU_REGIONS,
  CLOUD_RUN_MEMORY_FOR_CPU,
  CLOUD_RUN_WHOLE_CPUS,
} from './limits.js';
import type { CloudRunSpec } from './spec.js';

/** The label keys bentoctl puts on every resource; a user label may not replace them. */
const RESERVED_LABELS = Object.keys(
  stackLabels({ deployment: 'd', bentoName: 'b', bentoVersion: 'v' }),
);

/** Cloud Run rules that tie cpu, memory, concurrency, GPU, region and labels together. */
export function preflightCloudRun(spec: CloudRunSpec, context: PreflightContext): SpecIssue[] {
  const issues: SpecIssue[] = [
    ...checkInstanceBounds(spec),
    ...checkGcpLabels(spec.labels, RESERVED_LABELS),
    ...checkGpuMatchesRuntime(spec, context),
    ...checkInvocation(spec),
  ];
  if (spec.cpu >= 1 && spec.memory < CLOUD_RUN_GEN2_MIN_MEMORY_MIB) {
    issues.push({
      path: ['memory'],
      message: `memory ${spec.memory} MiB is below ${CLOUD_RUN_GEN2_MIN_MEMORY_MIB} MiB, the least Cloud Run's second generation environment (which runs cpu 1 and above) takes; raise memory, or use a cpu below 1 (first generation)`,
      suggestion: String(CLOUD_RUN_GEN2_MIN_MEMORY_MIB),
    });
  }
  const fractionalNeed = CLOUD_RUN_FRACTIONAL_CPU_MEMORY.find(
    (rule) => spec.memory > rule.aboveMiB,
  );
  // Above 4 GiB the whole-CPU rule below names the larger requirement.
  const wholeCpuRuleApplies = CLOUD_RUN_CPU_FOR_MEMORY.some((rule) => spec.memory > rule.aboveMiB);
  if (fractionalNeed !== undefined && spec.cpu < fractionalNeed.minCpu && !wholeCpuRuleApplies) {
    issues.push({
      path: ['cpu'],
      message: `memory ${spec.memory} MiB needs at least ${fractionalNeed.minCpu} vCPU on Cloud Run`,
      suggestion: String(fractionalNeed.minCpu),
    });
  }
  const wholeCpus: readonly number[] = CLOUD_RUN_WHOLE_CPUS;
  if (spec.cpu > 1 && !wholeCpus.includes(spec.cpu)) {
    const closest = [...wholeCpus].sort(
      (a, b) => Math.abs(a - spec.cpu) - Math.abs(b - spec.cpu),
    )[0];
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

/** An L4 with a CPU-only image is paid for and idle; a CUDA image without a GPU cannot start. */
function checkGpuMatchesRuntime(spec: CloudRunSpec, context: PreflightContext): SpecIssue[] {
  if (context.runtime.device === 'gpu' && spec.gpu === undefined) {
    return [
      {
        path: ['gpu'],
        message: 'runtime.device is gpu but spec.gpu is not set, so instances would have no GPU',
        suggestion: '{ type: nvidia-l4 }',
      },
    ];
  }
  if (context.runtime.device === 'cpu' && spec.gpu !== undefined) {
    return [
      {
        path: ['gpu'],
        message:
          'spec.gpu is set but runtime.device is cpu, so the GPU would sit idle; set runtime.device: gpu or remove spec.gpu',
      },
    ];
  }
  return [];
}

/** Who can call the service: combinations that reach nobody, or open it without saying so. */
function checkInvocation(spec: CloudRunSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  if (spec.public && spec.ingress === 'internal-and-cloud-load-balancing') {
    issues.push({
      path: ['ingress'],
      message:
        'public is true but ingress internal-and-cloud-load-balancing refuses requests from the internet to the run.app URL, and bentoctl creates no load balancer, so nobody outside the VPC could call it; use ingress all, or public: false behind your own load balancer',
      suggestion: 'all',
    });
  }
  if (spec.invoker_iam_disabled && !spec.public) {
    issues.push({
      path: ['invoker_iam_disabled'],
      message:
        'invoker_iam_disabled lets anyone call the service; set public: true to say so, or remove it and list callers in invokers',
    });
  }
  if (spec.public && spec.invokers.length > 0) {
    issues.push({
      path: ['invokers'],
      message:
        'a public service takes calls from everyone, so invokers would grant nothing; remove them, or set public: false',
    });
  }
  return issues;
}
