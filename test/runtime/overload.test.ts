import { describe, expect, it } from 'vitest';
import { spawnRuntime } from './helpers/child.js';
import { makeTestBento } from './helpers/models.js';
import { rawConnection } from './helpers/raw-client.js';

const BODY = JSON.stringify({ input: [[5.1, 3.5, 1.4, 0.2]] });

/** `connections` keep-alive clients, each sending `count` requests back to back. */
async function closedLoop(port: number, connections: number, count: number) {
  const statuses = new Map<string, number>();
  const clients = await Promise.all(Array.from({ length: connections }, () => rawConnection(port)));
  await Promise.all(
    clients.map(async (client) => {
      for (let index = 0; index < count; index += 1) {
        const answer = await client.request('/classify', BODY);
        const key =
          answer.status === 200
            ? '200'
            : `${answer.status} ${(JSON.parse(answer.body) as { code: string }).code}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
      }
      client.close();
    }),
  );
  return { answered: statuses.get('200') ?? 0, statuses: Object.fromEntries(statuses) };
}

describe('overload', () => {
  it('GIVEN closed-loop clients, 64 then 512 connections, while the model has time to spare THEN nothing is refused at 64 and at least 90 % is answered at 512', async () => {
    // A server process of its own, so that its event loop is not the test's.
    const server = await spawnRuntime({ BENTOCTL_BENTO_DIR: makeTestBento({ slowLayers: 1 }) });
    const port = Number(new URL(await server.ready).port);
    try {
      // From a cold start: the first second used to refuse most.
      const at64 = await closedLoop(port, 64, 60);
      expect(at64.statuses).toEqual({ '200': 64 * 60 });
      const at512 = await closedLoop(port, 512, 12);
      // Refusals at 512 come only from a stalled inference thread (this machine is shared);
      // before, deadline shedding refused most requests while the thread idled.
      expect(at512.answered, JSON.stringify(at512.statuses)).toBeGreaterThanOrEqual(
        Math.floor(512 * 12 * 0.9),
      );
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 60_000);
});
