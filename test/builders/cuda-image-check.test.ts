import { describe, expect, it } from 'vitest';
import { cudaImageWarnings } from '../../src/builders/cuda-image-check.js';

describe('a device: gpu image without CUDA', () => {
  it('GIVEN a CUDA 12 + cuDNN 9 base THEN no warning', () => {
    // The environment nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04 sets (as docker inspect shows).
    const env = ['PATH=/usr/bin', 'CUDA_VERSION=12.8.1', 'NV_CUDNN_VERSION=9.8.0.87-1'];
    expect(cudaImageWarnings('nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04', env)).toEqual([]);
  });

  it('GIVEN a plain node base THEN the build warns that readiness will fail, and what to do', () => {
    const [warning, ...more] = cudaImageWarnings('node:24-bookworm-slim', ['PATH=/usr/bin']);
    expect(more).toEqual([]);
    expect(warning).toContain('node:24-bookworm-slim has no CUDA');
    expect(warning).toContain('no cuDNN');
    expect(warning).toContain('DEVICE_UNAVAILABLE');
    expect(warning).toContain('runtime.device_fallback: cpu');
  });

  it('GIVEN CUDA 11 or cuDNN 8 THEN it names the version onnxruntime 1.30 needs', () => {
    const [warning] = cudaImageWarnings('nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04', [
      'CUDA_VERSION=11.8.0',
      'NV_CUDNN_VERSION=8.9.6.50',
    ]);
    expect(warning).toContain('CUDA 11.8.0, where');
    expect(warning).toContain('cuDNN 8.9.6.50, where');
  });

  it('GIVEN CUDA without cuDNN (a -runtime image) THEN it warns about cuDNN only', () => {
    const [warning] = cudaImageWarnings('nvidia/cuda:12.8.1-runtime-ubuntu22.04', [
      'CUDA_VERSION=12.8.1',
    ]);
    expect(warning).toContain('has no cuDNN');
    expect(warning).not.toContain('no CUDA (');
  });
});
