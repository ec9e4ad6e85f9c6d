/**
 * EC2 families with NVIDIA GPUs on x86_64, which the CUDA runtime image needs. g4ad (AMD) and
 * g5g (Arm) are left out on purpose: the image is linux/amd64 with CUDA.
 */
export const EC2_GPU_FAMILIES = [
  'g4dn',
  'g5',
  'g6',
  'g6e',
  'gr6',
  'p3',
  'p3dn',
  'p4d',
  'p4de',
  'p5',
  'p5e',
  'p5en',
] as const;

/** The family part of an instance type: `g5` of `g5.xlarge`. */
export function instanceFamily(instanceType: string): string {
  return instanceType.split('.')[0] ?? instanceType;
}
