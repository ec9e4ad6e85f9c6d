import { describe, expect, it } from 'vitest';
import { spawnRuntime } from './helpers/child.js';
import { makeTestBento } from './helpers/models.js';

const ROWS = Array.from({ length: 64 }, () => new Array<number>(1024).fill(0));

async function waitForBusyThread(url: string): Promise<boolean> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const text = await (await fetch(`${url}/metrics`)).text();
    if (/bentoctl_inference_threads_busy [1-9]/.test(text)) return true;
  }
  return false;
}

describe('SIGTERM', () => {
  it('GIVEN requests queued and running WHEN SIGTERM arrives THEN all are answered, intake stops and the process exits 0', async () => {
    const server = await spawnRuntime({
      BENTOCTL_BENTO_DIR: makeTestBento({ slowLayers: 100 }),
      BENTOCTL_MAX_LATENCY_MS: '60000',
      BENTOCTL_INTRA_OP_THREADS: '1',
    });
    const url = await server.ready;
    const post = () =>
      fetch(`${url}/slow`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ x: ROWS }),
      });
    const requests = [post(), post(), post()];
    expect(await waitForBusyThread(url)).toBe(true);
    server.child.kill('SIGTERM');
    const responses = await Promise.all(requests);
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    for (const response of responses)
      expect(((await response.json()) as { y: unknown[] }).y).toHaveLength(64);
    const after = await fetch(`${url}/readyz`).then(
      (response) => response.status,
      () => 'refused',
    );
    expect(after).not.toBe(200);
    expect(await server.exited).toBe(0);
    const messages = server.lines.map((line) => line.message);
    expect(messages).toEqual(expect.arrayContaining(['signal', 'draining', 'stopped']));
    expect(messages.indexOf('stopped')).toBeGreaterThan(messages.indexOf('draining'));
  });

  it('GIVEN work that outlasts the grace period WHEN SIGTERM arrives THEN the process stops anyway, with status 1', async () => {
    const server = await spawnRuntime({
      BENTOCTL_BENTO_DIR: makeTestBento({ slowLayers: 400 }),
      BENTOCTL_MAX_LATENCY_MS: '60000',
      BENTOCTL_INTRA_OP_THREADS: '1',
      BENTOCTL_SHUTDOWN_GRACE_MS: '100',
    });
    const url = await server.ready;
    const pending = fetch(`${url}/slow`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ x: ROWS }),
    });
    expect(await waitForBusyThread(url)).toBe(true);
    server.child.kill('SIGTERM');
    // Its first 32 rows were running; the other 32 were still queued when the grace period ended.
    const response = await pending;
    expect(response.status).toBe(503);
    expect(((await response.json()) as { code: string }).code).toBe('SHUTTING_DOWN');
    expect(await server.exited).toBe(1);
    expect(server.lines.some((line) => String(line.message).startsWith('grace period over'))).toBe(
      true,
    );
  });

  it('GIVEN two worker processes WHEN both serve and SIGTERM arrives THEN the primary exits 0 after them', async () => {
    const server = await spawnRuntime({
      BENTOCTL_BENTO_DIR: makeTestBento({ slowLayers: 1 }),
      BENTOCTL_WORKERS: '2',
      PORT: '0',
      // This is about shutdown, not shedding: a loaded machine must not turn the 8 requests
      // into QUEUE_TIMEOUTs at the default 10 ms budget.
      BENTOCTL_MAX_LATENCY_MS: '2000',
    });
    // With a cluster, each worker process logs its own `ready`; port 0 is shared through the primary.
    const url = await server.ready;
    const readyPids = () =>
      new Set(server.lines.filter((line) => line.message === 'ready').map((line) => line.pid));
    for (let attempt = 0; attempt < 200 && readyPids().size < 2; attempt += 1)
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(readyPids().size).toBe(2);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        fetch(`${url}/classify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ input: [[5.1, 3.5, 1.4, 0.2]] }),
        }).then((response) => response.status),
      ),
    );
    expect(answers.every((status) => status === 200)).toBe(true);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.lines.filter((line) => line.message === 'stopped')).toHaveLength(2);
  });
});
