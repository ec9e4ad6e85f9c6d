import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badRequestCorpus, validMixed } from './helpers/bad-requests.js';
import { makeTestBento } from './helpers/models.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const MAX_BODY_MB = 0.05;

// Twice: bodies parsed on the HTTP thread (all of these are under the default 64 KiB), and
// every body on the parse thread, which must refuse each one exactly alike.
describe.each([
  { where: 'on the HTTP thread', parseThreadMinKb: 64 },
  { where: 'on the parse thread', parseThreadMinKb: 0.001 },
])('bad requests, parsed $where', ({ parseThreadMinKb }) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(makeTestBento({ slowLayers: 1 }), {
      maxBodyMb: MAX_BODY_MB,
      bodyTimeoutMs: 300,
      parseThreadMinKb,
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
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const parsed = /bentoctl_request_bodies_parsed_total\{thread="(\w+)"\} (\d+)/g;
    const threads = new Set([...metrics.matchAll(parsed)].map((match) => match[1]));
    // (Empty bodies, 0 bytes, always parse on the HTTP thread.)
    expect(threads.has('parse')).toBe(parseThreadMinKb < 1);
    expect(threads.has('http')).toBe(true);
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

describe('bad traffic at the HTTP level', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(makeTestBento({ slowLayers: 1 }), {
      bodyTimeoutMs: 300,
      logLevel: 'info',
    });
  });
  afterAll(async () => {
    await server.handle.shutdown();
  });

  /** Writes `text` on a fresh connection and resolves with everything read until it closes. */
  const exchange = (text: string, thenClose = false) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(server.url).port), '127.0.0.1', () => {
        socket.write(text);
        if (thenClose) setTimeout(() => socket.destroy(), 50);
      });
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
      setTimeout(() => socket.destroy(), 10_000).unref();
    });
  const metrics = async () => (await fetch(`${server.url}/metrics`)).text();
  const logLines = () => server.logs.map((line) => JSON.parse(line) as Record<string, unknown>);

  it('GIVEN a valid request pipelined before garbage THEN the valid one is answered first and only the garbage gets 400', async () => {
    const body = JSON.stringify({ input: [[5.1, 3.5, 1.4, 0.2]] });
    const received = await exchange(
      `POST /classify HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
        'NOT HTTP AT ALL\r\n\r\n',
    );
    const statuses = [...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => match[1]);
    expect(statuses).toEqual(['200', '400']);
    expect(received).toContain('"label":[0]');
  });

  it('GIVEN a client that sends half its headers and stops THEN 408, not 400', async () => {
    const received = await exchange('POST /classify HTTP/1.1\r\nHost: t\r\n');
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('GIVEN a client that disconnects mid-upload THEN it is logged at info as 499 without a stack trace, and no 5xx is counted', async () => {
    await exchange(
      'POST /classify HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"input": [[5.1,',
      true,
    );
    let line: Record<string, unknown> | undefined;
    for (let attempt = 0; attempt < 200 && line === undefined; attempt += 1) {
      line = logLines().find((entry) => entry.status === 499);
      if (line === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(line).toMatchObject({ severity: 'INFO', api: 'classify', status: 499 });
    expect(JSON.stringify(line)).not.toMatch(/\n\s+at |stack/);
    expect(server.logs.some((entry) => entry.includes('"level":"error"'))).toBe(false);
    const text = await metrics();
    expect(text).toMatch(/bentoctl_http_requests_total\{api="classify",status="499"\} 1/);
    expect(text).not.toMatch(/bentoctl_http_requests_total\{[^}]*status="5\d\d"/);
  });

  it('GIVEN a flood of bad requests THEN they log at info, sampled, with a count of the lines left out', async () => {
    const started = performance.now();
    for (let index = 0; index < 300; index += 1) {
      const response = await server.post('/classify', '{"input": [[1, 2]]');
      expect(response.status).toBe(400);
    }
    const seconds = (performance.now() - started) / 1000;
    // The count of the lines left out rides on the next line logged, which needs a token: on a
    // fast machine the whole flood fits in the first burst's time. One more bad request after a
    // token's worth of time (1/5 s) is logged and carries the count.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await server.post('/classify', '{"input": [[1, 2]]')).status).toBe(400);
    let lines: Record<string, unknown>[] = [];
    for (let attempt = 0; attempt < 200; attempt += 1) {
      lines = logLines().filter((entry) => entry.code === 'INVALID_JSON');
      if (lines.some((entry) => Number(entry.suppressed) > 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(lines.every((entry) => entry.severity === 'INFO')).toBe(true);
    // A burst of 10, then 5 a second (LOG_SAMPLE_* in src/runtime/logger.ts), plus the last one.
    expect(lines.length).toBeLessThanOrEqual(10 + Math.ceil(seconds * 5) + 2);
    const counted = lines.reduce((sum, entry) => sum + 1 + Number(entry.suppressed ?? 0), 0);
    expect(counted).toBeLessThanOrEqual(301);
    expect(lines.some((entry) => Number(entry.suppressed) > 0)).toBe(true);
  });
});
