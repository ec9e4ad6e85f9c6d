/**
 * Cloud Run's documented limits that tie fields together: CPU steps, memory per CPU and GPU
 * placement. Kept as data so the rules are readable next to the docs they come from.
 */

/** Whole-CPU sizes above 1; fractions are allowed only up to 1. */
export const CLOUD_RUN_WHOLE_CPUS = [1, 2, 4, 6, 8] as const;

/** Memory above each bound (MiB) needs at least this many CPUs. */
export const CLOUD_RUN_CPU_FOR_MEMORY: readonly { aboveMiB: number; minCpu: number }[] = [
  { aboveMiB: 24576, minCpu: 8 },
  { aboveMiB: 16384, minCpu: 6 },
  { aboveMiB: 8192, minCpu: 4 },
  { aboveMiB: 4096, minCpu: 2 },
];

/** A CPU size needs at least this much memory (MiB). */
export const CLOUD_RUN_MEMORY_FOR_CPU: readonly { cpu: number; minMiB: number }[] = [
  { cpu: 4, minMiB: 2048 },
  { cpu: 6, minMiB: 4096 },
  { cpu: 8, minMiB: 4096 },
];

/** Regions where Cloud Run offers NVIDIA L4 GPUs. */
export const CLOUD_RUN_GPU_REGIONS = [
  'us-central1',
  'us-east4',
  'europe-west1',
  'europe-west4',
  'asia-southeast1',
  'asia-south1',
] as const;

/** GPU instances need at least 4 CPUs and 16 GiB of memory. */
export const CLOUD_RUN_GPU_MIN_CPU = 4;
export const CLOUD_RUN_GPU_MIN_MEMORY_MIB = 16384;

/**
 * Below 1 vCPU, memory is capped: more than 512 MiB needs 0.5 vCPU, more than 1 GiB needs 1.
 * (Cloud Run also forces request-based billing and concurrency 1 there.)
 */
export const CLOUD_RUN_FRACTIONAL_CPU_MEMORY: readonly { aboveMiB: number; minCpu: number }[] = [
  { aboveMiB: 1024, minCpu: 1 },
  { aboveMiB: 512, minCpu: 0.5 },
];

/**
 * The second generation execution environment (full Linux syscall support for ONNX Runtime,
 * required for GPUs) takes whole CPUs only and at least 512 MiB; fractional CPU needs the
 * first generation (gVisor), which takes 128 MiB and up.
 */
export const CLOUD_RUN_GEN2_MIN_MEMORY_MIB = 512;

/** The execution environment a CPU size runs in: GEN1 below 1 vCPU, GEN2 otherwise. */
export function cloudRunExecutionEnvironment(
  cpu: number,
): 'EXECUTION_ENVIRONMENT_GEN1' | 'EXECUTION_ENVIRONMENT_GEN2' {
  return cpu < 1 ? 'EXECUTION_ENVIRONMENT_GEN1' : 'EXECUTION_ENVIRONMENT_GEN2';
}
