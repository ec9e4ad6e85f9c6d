import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_ERROR_CATALOGUE } from '../../src/runtime/http-errors.js';
import { makeTestBento } from './helpers/models.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const SETOSA = [5.1, 3.5, 1.4, 0.2];
const VERSICOLOR = [6.0, 2.9, 4.3, 1.3];
const VIRGINICA = [6.5, 3.0, 5.5, 2.0];

/** 64 rows through 200 MatMul layers: long enough (about half a second here) to overlap. */
const SLOW_ROWS = Array.from({ length: 64 }, () => new Array<number>(1024).fill(0));

describe('runtime HTTP API', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(makeTestBento({ slowLayers: 200 }), { maxLatencyMs: 60_000 });
  });
  afterAll(async () => {
    await server.handle.shutdown();
  });

  it('GIVEN rows of iris measurements WHEN posted THEN each row gets its class, in order', async () => {
    const response = await server.post('/classify', { input: [SETOSA, VERSICOLOR, VIRGINICA] });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const body = (await response.json()) as { label: number[]; probabilities: number[][] };
    expect(body.label).toEqual([0, 1, 2]);
    expect(body.probabilities).toHaveLength(3);
    for (const row of body.probabilities) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('GIVEN a model with one input WHEN the body is a bare list THEN it is taken as that input', async () => {
    const response = await server.post('/classify', [VIRGINICA]);
    expect(((await response.json()) as { label: number[] }).label).toEqual([2]);
  });

  it('GIVEN an x-request-id WHEN valid THEN it is echoed, else a fresh id is given', async () => {
    const echoed = await fetch(`${server.url}/healthz`, {
      headers: { 'x-request-id': 'trace-42.a' },
    });
    expect(echoed.headers.get('x-request-id')).toBe('trace-42.a');
    const replaced = await fetch(`${server.url}/healthz`, {
      headers: { 'x-request-id': 'x'.repeat(500) },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f]{16}-[0-9a-f]{8,}$/);
  });

  it('GIVEN a batch running on the inference thread WHEN probes arrive THEN they answer before it finishes', async () => {
    let slowDone = false;
    const slow = server.post('/slow', { x: SLOW_ROWS }).then(async (response) => {
      slowDone = true;
      return response;
    });
    // Wait until the batch is on the inference thread, then probe.
    let running = false;
    for (let attempt = 0; attempt < 500 && !running && !slowDone; attempt += 1) {
      running = /bentoctl_inference_threads_busy 1\b/.test(
        await (await fetch(`${server.url}/metrics`)).text(),
      );
    }
    expect(running).toBe(true);
    const probes = await Promise.all(
      ['/healthz', '/livez', '/readyz', '/v2/health/ready', '/metrics'].map((path) =>
        fetch(`${server.url}${path}`),
      ),
    );
    const answeredWhileRunning = !slowDone;
    expect(probes.map((probe) => probe.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answeredWhileRunning).toBe(true);
    const response = await slow;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { y: number[][] }).y).toHaveLength(64);
  });

  it('GIVEN the Open Inference Protocol THEN metadata, readiness and inference follow v2', async () => {
    const server_ = (await (await fetch(`${server.url}/v2`)).json()) as {
      name: string;
      version: string;
    };
    expect(server_.name).toBe('test_bento');
    const metadata = (await (await fetch(`${server.url}/v2/models/iris`)).json()) as {
      inputs: unknown[];
      outputs: unknown[];
      versions: string[];
    };
    expect(metadata.inputs).toEqual([{ name: 'input', datatype: 'FP32', shape: [-1, 4] }]);
    expect(metadata.outputs).toEqual([
      { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
      { name: 'label', datatype: 'INT64', shape: [-1] },
    ]);
    expect((await fetch(`${server.url}/v2/models/iris/ready`)).status).toBe(200);
    expect(
      (await fetch(`${server.url}/v2/models/iris/versions/${metadata.versions[0]}/ready`)).status,
    ).toBe(200);
    const infer = await server.post('/v2/models/iris/infer', {
      id: 'req-1',
      inputs: [{ name: 'input', shape: [2, 4], datatype: 'FP32', data: [...SETOSA, ...VIRGINICA] }],
      outputs: [{ name: 'label' }],
    });
    expect(infer.status).toBe(200);
    expect(await infer.json()).toEqual({
      model_name: 'iris',
      model_version: metadata.versions[0],
      id: 'req-1',
      outputs: [{ name: 'label', datatype: 'INT64', shape: [2], data: [0, 2] }],
    });
    const nested = await server.post('/v2/models/mixed/infer', {
      inputs: [
        { name: 'f32', shape: [1, 3], datatype: 'FP32', data: [[1, 2, 3]] },
        { name: 'f64', shape: [1, 1], datatype: 'FP64', data: [0.25] },
        { name: 'i64', shape: [1, 2], datatype: 'INT64', data: [-5, 9007199254740991] },
        { name: 'i32', shape: [1], datatype: 'INT32', data: [7] },
        { name: 'u8', shape: [1, 2, 2], datatype: 'UINT8', data: [1, 2, 3, 255] },
        { name: 'i8', shape: [1, 1], datatype: 'INT8', data: [-128] },
        { name: 'flag', shape: [1], datatype: 'BOOL', data: [false] },
      ],
    });
    const outputs = ((await nested.json()) as { outputs: { name: string; data: unknown[] }[] })
      .outputs;
    expect(Object.fromEntries(outputs.map((output) => [output.name, output.data]))).toEqual({
      f32_out: [1, 2, 3],
      f64_out: [0.25],
      i64_out: [-5, 9007199254740991],
      i32_out: [7],
      u8_out: [1, 2, 3, 255],
      i8_out: [-128],
      flag_out: [false],
    });
  });

  it('GIVEN requests served THEN /metrics counts them by api and status, with queue, batch and inference metrics', async () => {
    await server.post('/classify', { input: [SETOSA] });
    await server.post('/classify', { input: [[1, 2]] });
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/bentoctl_http_requests_total\{api="classify",status="200"\} [1-9]/);
    expect(text).toMatch(/bentoctl_http_requests_total\{api="classify",status="400"\} [1-9]/);
    expect(text).toMatch(
      /bentoctl_http_request_duration_seconds_bucket\{le="0.1",api="classify",status="200"\} [1-9]/,
    );
    expect(text).toMatch(/bentoctl_http_requests_in_flight 1\b/); // the /metrics request itself
    expect(text).toMatch(/bentoctl_queue_depth_rows\{api="classify"\} 0/);
    expect(text).toMatch(/bentoctl_batch_size_rows_count\{api="classify"\} [1-9]/);
    expect(text).toMatch(/bentoctl_inference_duration_seconds_count\{model="iris"\} [1-9]/);
    expect(text).toMatch(/bentoctl_inference_threads_busy 0\b/);
    expect(text).toContain('\nprocess_cpu_seconds_total ');
  });

  it('GIVEN /docs.json THEN it is an OpenAPI 3 document of the bento with request schemas from the model', async () => {
    const doc = (await (await fetch(`${server.url}/docs.json`)).json()) as {
      openapi: string;
      info: { title: string };
      paths: Record<
        string,
        {
          post?: {
            requestBody: {
              content: {
                'application/json': {
                  schema: { oneOf?: { properties?: Record<string, unknown> }[] };
                };
              };
            };
          };
        }
      >;
      components: {
        schemas: { Error: { properties: { code: { enum: string[] } } } };
        securitySchemes?: unknown;
      };
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('test_bento');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/classify',
        '/mixed',
        '/slow',
        '/healthz',
        '/readyz',
        '/metrics',
        '/v2/models/{model}/infer',
      ]),
    );
    const classify =
      doc.paths['/classify']?.post?.requestBody.content['application/json'].schema.oneOf?.[0];
    expect(classify?.properties?.input).toMatchObject({
      type: 'array',
      minItems: 1,
      items: {
        type: 'array',
        minItems: 4,
        maxItems: 4,
        items: { type: 'number', format: 'float' },
      },
    });
    expect(doc.components.schemas.Error.properties.code.enum).toEqual(
      Object.keys(HTTP_ERROR_CATALOGUE),
    );
    expect(doc.components.securitySchemes).toBeUndefined();
  });

  it('GIVEN debug logging THEN each request logs one JSON line with id, status, rows, batch sizes and latency', async () => {
    await fetch(`${server.url}/classify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'log-check-1' },
      body: JSON.stringify({ input: [SETOSA, SETOSA] }),
    });
    const lines = server.logs
      .filter((line) => line.includes('"log-check-1"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      severity: 'DEBUG',
      message: 'request',
      requestId: 'log-check-1',
      status: 200,
      api: 'classify',
      rows: 2,
    });
    expect(lines[0]?.batchSizes).toEqual([2]);
    expect(typeof lines[0]?.latencyMs).toBe('number');
  });
});

describe('runtime bearer auth', () => {
  const token = 's3cret-token-value';
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

  it('GIVEN bearer mode WHEN the token is missing or wrong THEN 401, and with it 200', async () => {
    const missing = await server.post('/classify', { input: [SETOSA] });
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { code: string }).code).toBe('UNAUTHORIZED');
    const wrong = await server.post(
      '/classify',
      { input: [SETOSA] },
      { authorization: 'Bearer nope' },
    );
    expect(wrong.status).toBe(401);
    const basic = await server.post(
      '/classify',
      { input: [SETOSA] },
      { authorization: `Basic ${token}` },
    );
    expect(basic.status).toBe(401);
    const right = await server.post(
      '/classify',
      { input: [SETOSA] },
      { authorization: `Bearer ${token}` },
    );
    expect(right.status).toBe(200);
    const v2 = await server.post('/v2/models/iris/infer', { inputs: [] });
    expect(v2.status).toBe(401);
    expect((await fetch(`${server.url}/v2/models/iris`)).status).toBe(401);
  });

  it('GIVEN bearer mode THEN every route checks the token before it reads the body, and an unknown model is 404 before either', async () => {
    for (const path of ['/classify', '/classify/submit', '/v2/models/iris/infer']) {
      const response = await server.post(path, 'not json at all');
      expect(response.status, path).toBe(401);
    }
    const withToken = await server.post('/classify', 'not json at all', {
      authorization: `Bearer ${token}`,
    });
    expect(withToken.status).toBe(400);
    expect((await server.post('/v2/models/nope/infer', 'not json')).status).toBe(404);
    expect((await fetch(`${server.url}/classify/status?task_id=x`)).status).toBe(401);
  });

  it('GIVEN bearer mode THEN health, metrics and docs stay open, and docs declare the scheme', async () => {
    for (const path of [
      '/healthz',
      '/livez',
      '/readyz',
      '/v2/health/live',
      '/v2/health/ready',
      '/metrics',
      '/docs.json',
    ]) {
      expect((await fetch(`${server.url}${path}`)).status, path).toBe(200);
    }
    const doc = (await (await fetch(`${server.url}/docs.json`)).json()) as {
      components: { securitySchemes?: unknown };
    };
    expect(doc.components.securitySchemes).toEqual({ bearer: { type: 'http', scheme: 'bearer' } });
  });
});
