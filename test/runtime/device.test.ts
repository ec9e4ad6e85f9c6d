import { describe, expect, it } from 'vitest';
import { makeTestBento } from './helpers/models.js';
import { startTestServer } from './helpers/server.js';

describe('device: gpu without CUDA', () => {
  it('GIVEN device gpu on a machine without CUDA THEN the models run on CPU and a warn line says why', async () => {
    const server = await startTestServer(makeTestBento({ slowLayers: 1 }), { device: 'gpu' });
    try {
      const lines = server.logs.map(
        (line) =>
          JSON.parse(line) as {
            severity: string;
            message: string;
            models?: { provider: string }[];
          },
      );
      const fallback = lines.filter(
        (line) =>
          line.severity === 'WARNING' &&
          line.message.includes('CUDA execution provider unavailable'),
      );
      expect(fallback.length).toBeGreaterThan(0);
      expect(
        lines
          .find((line) => line.message === 'ready')
          ?.models?.every((model) => model.provider === 'cpu'),
      ).toBe(true);
      const response = await server.post('/classify', { input: [[5.1, 3.5, 1.4, 0.2]] });
      expect(response.status).toBe(200);
    } finally {
      await server.handle.shutdown();
    }
  });
});
