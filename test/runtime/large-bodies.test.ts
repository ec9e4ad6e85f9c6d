import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestBento } from './helpers/models.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const MAX_QUEUE_ROWS = 200;
const row = [5.1, 3.5, 1.4, 0.2];
const body = (rows: number) => ({ input: Array.from({ length: rows }, () => row) });

async function parsedBy(server: TestServer): Promise<Record<string, number>> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const counts: Record<string, number> = { http: 0, parse: 0 };
  for (const match of text.matchAll(
    /bentoctl_request_bodies_parsed_total\{thread="(\w+)"\} (\d+)/g,
  ))
    counts[match[1] as string] = Number(match[2]);
  return counts;
}

describe('large request bodies', () => {
  let server: TestServer;
  beforeAll(async () => {
    // A 200-row iris body is about 3.6 KB: from 2 KiB, bodies go to the parse thread.
    server = await startTestServer(makeTestBento({ slowLayers: 1 }), {
      maxQueueRows: MAX_QUEUE_ROWS,
      parseThreadMinKb: 2,
      logLevel: 'info',
    });
  });
  afterAll(async () => {
    await server.handle.shutdown();
  });

  it('GIVEN a large body THEN it is parsed on the parse thread, and a small one on the HTTP thread', async () => {
    const before = await parsedBy(server);
    const large = await server.post('/classify', body(MAX_QUEUE_ROWS));
    expect(large.status).toBe(200);
    const answer = (await large.json()) as Record<string, unknown[]>;
    expect(Object.values(answer)[0]).toHaveLength(MAX_QUEUE_ROWS);
    const afterLarge = await parsedBy(server);
    expect(afterLarge.parse).toBe((before.parse ?? 0) + 1);
    expect(afterLarge.http).toBe(before.http);
    expect((await server.post('/classify', body(1))).status).toBe(200);
    expect((await parsedBy(server)).http).toBe((before.http ?? 0) + 1);
  });

  it('GIVEN more rows than the queue holds THEN 413 TOO_MANY_ROWS, decided before the JSON is parsed', async () => {
    // Invalid JSON after the rows: a parser would answer INVALID_JSON; the row count comes first.
    const text = `${JSON.stringify(body(MAX_QUEUE_ROWS + 1)).slice(0, -1)}, "later": tru}`;
    const response = await server.post('/classify', text);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { code: string }).code).toBe('TOO_MANY_ROWS');
    // The same for a task submit, and for the Open Inference Protocol (rows in `shape`).
    const submit = await server.post('/classify/submit', text);
    expect(submit.status).toBe(413);
    const rows = MAX_QUEUE_ROWS + 1;
    const data = Array.from({ length: rows }, () => row).flat();
    const v2 = `{"inputs": [{"name": "input", "shape": [${rows}, 4], "datatype": "FP32", "data": ${JSON.stringify(data)}}], "later": tru}`;
    const infer = await server.post('/v2/models/iris/infer', v2);
    expect(infer.status).toBe(413);
    expect(((await infer.json()) as { code: string }).code).toBe('TOO_MANY_ROWS');
  });

  it('GIVEN small requests keeping the queue busy THEN back-to-back maximal requests are all answered', async () => {
    let stop = false;
    let small = 0;
    const smallClients = Array.from({ length: 16 }, async () => {
      while (!stop) {
        const response = await server.post('/classify', body(1));
        await response.arrayBuffer();
        if (response.status === 200) small += 1;
      }
    });
    const statuses: number[] = [];
    try {
      for (let index = 0; index < 12; index += 1) {
        const response = await server.post('/classify', body(MAX_QUEUE_ROWS));
        const answer = (await response.json()) as Record<string, unknown>;
        statuses.push(response.status);
        if (response.status !== 200) statuses.push(NaN, answer.code as never);
      }
    } finally {
      stop = true;
      await Promise.all(smallClients);
    }
    expect(statuses).toEqual(Array.from({ length: 12 }, () => 200));
    expect(small).toBeGreaterThan(0);
  });
});
