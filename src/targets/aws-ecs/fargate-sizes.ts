/** The memory sizes (MiB) Fargate accepts for each CPU size, from the AWS task-size table. */
const FARGATE_MEMORY_RANGES: Readonly<Record<number, { min: number; max: number; step: number }>> =
  {
    256: { min: 512, max: 2048, step: 512 },
    512: { min: 1024, max: 4096, step: 1024 },
    1024: { min: 2048, max: 8192, step: 1024 },
    2048: { min: 4096, max: 16384, step: 1024 },
    4096: { min: 8192, max: 30720, step: 1024 },
    8192: { min: 16384, max: 61440, step: 4096 },
    16384: { min: 32768, max: 122880, step: 8192 },
  };

/** Valid memory sizes for a CPU size; 256 CPU units also allow 512 MiB below its step. */
export function fargateMemoryOptions(cpu: number): number[] {
  const range = FARGATE_MEMORY_RANGES[cpu];
  if (range === undefined) return [];
  const options: number[] = [];
  for (let memory = range.min; memory <= range.max; memory += range.step) options.push(memory);
  return options;
}

/** The valid memory size closest to the one asked for. */
export function closestFargateMemory(cpu: number, memory: number): number | undefined {
  let best: number | undefined;
  for (const option of fargateMemoryOptions(cpu)) {
    if (best === undefined || Math.abs(option - memory) < Math.abs(best - memory)) best = option;
  }
  return best;
}
