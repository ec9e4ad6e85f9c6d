/**
 * Whether an image can run onnxruntime's CUDA execution provider, judged from its environment.
 * onnxruntime-node 1.30's CUDA provider (libonnxruntime_providers_cuda.so, CUDA 12 build) links
 * against the CUDA 12 runtime (cudart, cuBLAS/cuBLASLt, cuFFT, cuRAND) and cuDNN 9; NVIDIA's
 * `nvidia/cuda:12.x-cudnn-runtime-*` images carry them and say so in `CUDA_VERSION` and
 * `NV_CUDNN_VERSION`. The GPU driver (libcuda.so.1) comes from the host at run time.
 */

/** Why a `device: gpu` image will not load the CUDA provider, or [] when its base looks right. */
export function cudaImageWarnings(baseImage: string, env: readonly string[]): string[] {
  const vars = new Map(
    env.map((entry) => {
      const at = entry.indexOf('=');
      return at === -1 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
    }),
  );
  const cuda = vars.get('CUDA_VERSION');
  const cudnn = vars.get('NV_CUDNN_VERSION');
  const missing: string[] = [];
  if (cuda === undefined || cuda === '') missing.push('no CUDA (it sets no CUDA_VERSION)');
  else if (!cuda.startsWith('12.'))
    missing.push(`CUDA ${cuda}, where onnxruntime 1.30's CUDA provider needs CUDA 12`);
  if (cudnn === undefined || cudnn === '') missing.push('no cuDNN (it sets no NV_CUDNN_VERSION)');
  else if (!cudnn.startsWith('9.'))
    missing.push(`cuDNN ${cudnn}, where onnxruntime 1.30's CUDA provider needs cuDNN 9`);
  if (missing.length === 0) return [];
  return [
    `runtime.device is gpu but the base image ${baseImage} has ${missing.join(' and ')}: the CUDA execution provider will not load and the server will fail readiness (DEVICE_UNAVAILABLE), or serve on CPU with runtime.device_fallback: cpu. Use a CUDA 12 + cuDNN 9 base such as nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04 (the default for device: gpu).`,
  ];
}
