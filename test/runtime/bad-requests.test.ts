import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badRequestCorpus, validMixed } from './helpers/bad-requests.js';
import { makeTestBento } from './helpers/models.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const MAX_BODY_MB = 0.05;

describe('bad requests', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(makeTestBento({ slowLayers: 1 }), {
      maxBodyMb: MAX_BODY_MB,
      bodyTimeoutMs: 300,
    });
  });
  afterAll(async () => {
    await server.handle.shutdown();
  });

  const corpus = badRequestCorpus();

  it('GIVEN the corpus THEN it holds at least 300 distinct cases', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    expect(new Set(corpus.map((c) => c.name)).size).toBe(corpus.length);
  });

  it('GIVEN each bad request WHEN sent THEN the answer is its 4xx with {statusCode, code, error, message} ({error, code} on /v2)', async () => {
    const mismatches: string[] = [];
    for (const bad of corpus) {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        ...bad.headers,
      };
      const body =
        bad.body === undefined
          ? undefined
          : typeof bad.body === 'string'
            ? bad.body
            : JSON.stringify(bad.body);
      const response = await fetch(`${server.url}${bad.path}`, {
        method: bad.method,
        headers,
        body,
      });
      const text = await response.text();
      let parsed: { statusCode?: unknown; code?: unknown; error?: unknown; message?: unknown } = {};
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        mismatches.push(`${bad.name}: body is not JSON: ${text.slice(0, 80)}`);
        continue;
      }
      // Open Inference Protocol paths answer the protocol's {error: <message>} (plus code).
      const v2 = bad.path.startsWith('/v2/');
      const wellFormed = v2
        ? typeof parsed.error === 'string' && parsed.error.length > 10 && !('statusCode' in parsed)
        : parsed.statusCode === response.status &&
          typeof parsed.error === 'string' &&
          typeof parsed.message === 'string' &&
          parsed.message.length > 10;
      if (response.status !== bad.status || parsed.code !== bad.code || !wellFormed) {
        mismatches.push(
          `${bad.name}: got ${response.status} ${String(parsed.code)} (${String(v2 ? parsed.error : parsed.message)}), want ${bad.status} ${bad.code}`,
        );
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('GIVEN the whole corpus was sent THEN the server still answers good requests and never logged a 500', async () => {
    const good = await server.post('/mixed', validMixed());
    expect(good.status).toBe(200);
    const outputs = (await good.json()) as Record<string, unknown>;
    expect(outputs.u8_out).toEqual(validMixed().u8);
    expect(outputs.flag_out).toEqual([true]);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const serverErrors = server.logs.filter((line) => /"status":5\d\d/.test(line));
    expect(serverErrors).toEqual([]);
  });

  it('GIVEN a body over the limit (declared or streamed) THEN 413 BODY_TOO_LARGE', async () => {
    const rows = Array.from({ length: 5000 }, () => [5.1, 3.5, 1.4, 0.2]);
    const declared = await server.post('/classify', { input: rows });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { code: string }).code).toBe('BODY_TOO_LARGE');
    const text = JSON.stringify({ input: rows });
    const stream = new ReadableStream({
      start(controller) {
        for (let offset = 0; offset < text.length; offset += 8192)
          controller.enqueue(new TextEncoder().encode(text.slice(offset, offset + 8192)));
        controller.close();
      },
    });
    const chunked = await fetch(`${server.url}/classify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as { code: string }).code).toBe('BODY_TOO_LARGE');
  });

  it('GIVEN a client that stops sending its body THEN 408 BODY_TIMEOUT and the connection closes', async () => {
    const { port } = new URL(server.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          'POST /classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"input": [[5.1,',
        );
      });
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
      setTimeout(() => socket.destroy(), 10_000).unref();
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toContain('"code":"BODY_TIMEOUT"');
  });
});
