import { describe, expect, it } from 'vitest';
import { startRuntime } from '../../src/runtime/runtime.js';
import { readSettings } from '../../src/runtime/settings.js';
import { runtimeBundle } from './helpers/bundle.js';
import { makeTestBento } from './helpers/models.js';
import { startTestServer } from './helpers/server.js';

interface LogLine {
  readonly severity: string;
  readonly message: string;
  readonly code?: string;
  readonly error?: string;
  readonly models?: { provider: string }[];
}

// This machine has no GPU and onnxruntime-node has no CUDA provider library here, so
// `device: gpu` finds no CUDA execution provider: what a GPU instance without its driver sees.
describe('device: gpu without CUDA', () => {
  it('GIVEN device gpu and no fallback THEN readiness fails with DEVICE_UNAVAILABLE and an error line says why', async () => {
    const { worker } = await runtimeBundle();
    const logs: string[] = [];
    const handle = await startRuntime({
      settings: readSettings(
        {},
        {
          bentoDir: makeTestBento({ slowLayers: 1 }),
          host: '127.0.0.1',
          port: 0,
          intraOpThreads: 1,
          device: 'gpu',
        },
      ),
      workerScript: worker,
      write: (line) => logs.push(line),
    });
    try {
      await expect(handle.ready).rejects.toThrow(/CUDA execution provider is unavailable/);
      const ready = await fetch(`${handle.url}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { code: string; message: string };
      expect(body.code).toBe('DEVICE_UNAVAILABLE');
      expect(body.message).toContain('device_fallback: cpu');
      const inference = await fetch(`${handle.url}/classify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: [[5.1, 3.5, 1.4, 0.2]] }),
      });
      expect(inference.status).toBe(503);
      const failed = logs
        .map((line) => JSON.parse(line) as LogLine)
        .find((line) => line.message === 'the models failed to load');
      expect(failed).toMatchObject({ severity: 'ERROR', code: 'DEVICE_UNAVAILABLE' });
      expect(failed?.error).toContain('BENTOCTL_DEVICE_FALLBACK=cpu');
    } finally {
      await handle.shutdown();
    }
  });

  it('GIVEN device gpu with device_fallback cpu THEN it serves on CPU and says so in the log, /readyz and /metrics', async () => {
    const server = await startTestServer(makeTestBento({ slowLayers: 1 }), {
      device: 'gpu',
      deviceFallback: 'cpu',
    });
    try {
      const lines = server.logs.map((line) => JSON.parse(line) as LogLine);
      expect(
        lines.some(
          (line) =>
            line.severity === 'WARNING' &&
            line.message.includes('CUDA execution provider unavailable') &&
            line.message.includes('running on CPU'),
        ),
      ).toBe(true);
      expect(
        lines
          .find((line) => line.message === 'ready')
          ?.models?.every((model) => model.provider === 'cpu'),
      ).toBe(true);
      const ready = (await (await fetch(`${server.url}/readyz`)).json()) as {
        execution_providers: Record<string, string>;
      };
      expect(ready.execution_providers).toEqual({ iris: 'cpu', mixed: 'cpu', slow: 'cpu' });
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toContain('bentoctl_execution_provider{model="iris",provider="cpu"} 1');
      const response = await server.post('/classify', { input: [[5.1, 3.5, 1.4, 0.2]] });
      expect(response.status).toBe(200);
    } finally {
      await server.handle.shutdown();
    }
  });
});
