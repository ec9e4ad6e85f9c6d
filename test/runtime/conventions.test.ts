import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTraceparent } from '../../src/runtime/trace-context.js';
import { makeTestBento } from './helpers/models.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

describe('W3C traceparent parsing', () => {
  it('GIVEN a valid traceparent THEN its trace id, parent span and sampled flag are read', () => {
    expect(parseTraceparent(`00-${TRACE_ID}-${PARENT}-01`)).toEqual({
      traceId: TRACE_ID,
      parentSpanId: PARENT,
      sampled: true,
    });
    // A later version may append fields; they are ignored.
    expect(parseTraceparent(`01-${TRACE_ID}-${PARENT}-00-extra`)?.sampled).toBe(false);
  });

  it('GIVEN an invalid traceparent THEN it is ignored, as the spec says', () => {
    for (const bad of [
      undefined,
      '',
      `ff-${TRACE_ID}-${PARENT}-01`,
      `00-${'0'.repeat(32)}-${PARENT}-01`,
      `00-${TRACE_ID}-${'0'.repeat(16)}-01`,
      `00-${TRACE_ID.toUpperCase()}-${PARENT}-01`,
      `00-${TRACE_ID}-${PARENT}-01-extra`,
      `00-${TRACE_ID.slice(1)}-${PARENT}-01`,
    ]) {
      expect(parseTraceparent(bad), String(bad)).toBeUndefined();
    }
  });
});

describe('runtime conventions', () => {
  const token = 'conventions-token';
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(
      makeTestBento({ slowLayers: 1 }),
      { authMode: 'bearer', authTokenEnv: 'TEST_TOKEN' },
      { TEST_TOKEN: token },
    );
  });
  afterAll(async () => {
    await server.handle.shutdown();
  });
  const auth = { authorization: `Bearer ${token}` };

  it('GIVEN no or a wrong token WHEN refused with 401 THEN WWW-Authenticate names the Bearer scheme', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-token-value' }];
    for (const headers of attempts) {
      const response = await server.post('/classify', [[1, 2, 3, 4]], headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="test_bento"');
    }
    const ok = await server.post('/classify', [[1, 2, 3, 4]], auth);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('www-authenticate')).toBeNull();
  });

  it('GIVEN an error on a /v2 route THEN the body is the protocol shape {"error": message} (plus code)', async () => {
    const unknown = await fetch(`${server.url}/v2/models/nope`, { headers: auth });
    expect(unknown.status).toBe(404);
    const body = (await unknown.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['code', 'error']);
    expect(body.error).toContain('there is no model "nope"');
    expect(body.code).toBe('MODEL_NOT_FOUND');
    // The per-API routes keep the runtime's own shape.
    const api = (await (await server.post('/classify', { nope: 1 }, auth)).json()) as Record<
      string,
      unknown
    >;
    expect(api).toMatchObject({ statusCode: 400, code: 'UNKNOWN_INPUT', error: 'Bad Request' });
  });

  it('GIVEN /docs.json THEN the /v2 routes document the protocol error body', async () => {
    const doc = (await (await fetch(`${server.url}/docs.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, { required?: string[] }> };
    };
    const schemaOf = (path: string, method: string, status: string) =>
      JSON.stringify(doc.paths[path]?.[method]?.responses[status]);
    expect(schemaOf('/v2/models/{model}/infer', 'post', '400')).toContain('V2Error');
    expect(schemaOf('/v2/health/ready', 'get', '503')).toContain('V2Error');
    expect(schemaOf('/classify', 'post', '400')).toContain('"#/components/schemas/Error"');
    expect(doc.components.schemas.V2Error?.required).toEqual(['error']);
  });

  it('GIVEN a traceparent WHEN a request is served THEN its log line has severity, message, request id and trace ids', async () => {
    await server.post('/classify', [[1, 2, 3, 4]], {
      ...auth,
      'x-request-id': 'trace-log-1',
      traceparent: `00-${TRACE_ID}-${PARENT}-01`,
    });
    await server.post('/classify', [[1, 2, 3, 4]], {
      ...auth,
      'x-request-id': 'trace-log-2',
      traceparent: 'not-a-traceparent',
    });
    const line = (id: string) =>
      server.logs
        .map((text) => JSON.parse(text) as Record<string, unknown>)
        .find((entry) => entry.requestId === id);
    expect(line('trace-log-1')).toMatchObject({
      severity: 'DEBUG',
      message: 'request',
      traceId: TRACE_ID,
      parentSpanId: PARENT,
    });
    expect(line('trace-log-2')).not.toHaveProperty('traceId');
    for (const text of server.logs) {
      const entry = JSON.parse(text) as Record<string, unknown>;
      expect(['DEBUG', 'INFO', 'WARNING', 'ERROR']).toContain(entry.severity);
      expect(typeof entry.message).toBe('string');
      expect(entry).not.toHaveProperty('msg');
    }
    // A 401 is a warning: Cloud Logging's name for it is WARNING, not warn.
    expect(
      server.logs.some((text) => {
        const entry = JSON.parse(text) as Record<string, unknown>;
        return entry.status === 401 && entry.severity === 'WARNING';
      }),
    ).toBe(true);
  });

  it('GIVEN /metrics THEN the default process metrics carry their standard names', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text, name).toMatch(new RegExp(`^${name} `, 'm'));
    }
    expect(text).not.toContain('bentoctl_process_');
  });
});
