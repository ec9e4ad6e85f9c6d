import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readyzUrl, waitForReady } from '../../src/deploy/wait-ready.js';

describe('waitForReady', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function serve(
    statuses: readonly number[],
  ): Promise<{ endpoint: string; paths: string[] }> {
    const paths: string[] = [];
    server = createServer((request, response) => {
      paths.push(request.url ?? '');
      response.statusCode = statuses[Math.min(paths.length - 1, statuses.length - 1)] ?? 500;
      response.end();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, paths };
  }

  it('GIVEN a service that starts answering after two 503s WHEN waited for THEN it returns on the first 200', async () => {
    const { endpoint, paths } = await serve([503, 503, 200]);
    const retries: string[] = [];

    const ready = await waitForReady(endpoint, {
      timeoutMs: 10_000,
      initialDelayMs: 10,
      onRetry: (status) => retries.push(status),
    });

    expect(ready).toMatchObject({ status: 200, attempts: 3, authRequired: false });
    expect(paths).toEqual(['/readyz', '/readyz', '/readyz']);
    expect(retries).toEqual(['HTTP 503', 'HTTP 503']);
  });

  it('GIVEN a private service WHEN it answers 403 THEN it counts as up behind authentication', async () => {
    const { endpoint } = await serve([403]);

    await expect(waitForReady(endpoint, { timeoutMs: 5_000 })).resolves.toMatchObject({
      status: 403,
      authRequired: true,
    });
  });

  it('GIVEN a service that never becomes ready WHEN the timeout passes THEN it fails with the last answer', async () => {
    const { endpoint } = await serve([503]);

    const waiting = waitForReady(endpoint, { timeoutMs: 300, initialDelayMs: 50 });

    await expect(waiting).rejects.toMatchObject({ code: 'ENDPOINT_NOT_READY', kind: 'external' });
    await expect(waiting).rejects.toThrow(/did not answer ready within 0.3 s \(last: HTTP 503\)/);
  });

  it('GIVEN an endpoint with a path and trailing slash THEN /readyz is appended once', () => {
    expect(readyzUrl('https://api.example.com/iris/')).toBe('https://api.example.com/iris/readyz');
  });
});
