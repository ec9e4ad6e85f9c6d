import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer } from 'node:net';
import { startRuntime } from '../../../src/runtime/runtime.js';
import { readSettings } from '../../../src/runtime/settings.js';
import { freePort } from '../../helpers/registry.js';
import { runtimeBundle } from '../helpers/bundle.js';
import { call, inferenceClient, type InferenceClient } from '../helpers/grpc-client.js';
import { makeTestBento } from '../helpers/models.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ROWS = [5.1, 3.5, 1.4, 0.2, 6.5, 3.0, 5.5, 2.0];

function bearer(token: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

describe('Open Inference Protocol over gRPC', () => {
  const token = 'grpc-test-token';
  let server: TestServer;
  let client: InferenceClient;
  beforeAll(async () => {
    server = await startTestServer(
      makeTestBento({ slowLayers: 1 }),
      { authMode: 'bearer', authTokenEnv: 'TEST_TOKEN', grpc: true, grpcPort: 0, maxBodyMb: 1 },
      { TEST_TOKEN: token },
    );
    client = inferenceClient(`127.0.0.1:${server.handle.grpcPort}`);
  });
  afterAll(async () => {
    client?.close();
    await server?.handle.shutdown();
  });

  it('GIVEN the health calls THEN live, ready, model ready and server metadata answer without a token', async () => {
    expect((await call(client, 'ServerLive', {})).response).toEqual({ live: true });
    expect((await call(client, 'ServerReady', {})).response).toEqual({ ready: true });
    expect((await call(client, 'ModelReady', { name: 'iris' })).response).toEqual({ ready: true });
    const unknown = await call(client, 'ModelReady', { name: 'nope' });
    expect(unknown.error?.code).toBe(grpc.status.NOT_FOUND);
    expect(unknown.error?.metadata.get('bentoctl-error-code')).toEqual(['MODEL_NOT_FOUND']);
    expect((await call(client, 'ServerMetadata', {})).response).toMatchObject({
      name: 'test_bento',
      version: server.handle.manifest.version,
    });
  });

  it('GIVEN ModelMetadata THEN it needs the token and describes the tensors', async () => {
    expect((await call(client, 'ModelMetadata', { name: 'iris' })).error?.code).toBe(
      grpc.status.UNAUTHENTICATED,
    );
    const wrong = await call(client, 'ModelMetadata', { name: 'iris' }, bearer('wrong-token-x'));
    expect(wrong.error?.code).toBe(grpc.status.UNAUTHENTICATED);
    const { response } = await call(client, 'ModelMetadata', { name: 'iris' }, bearer(token));
    expect(response).toMatchObject({
      name: 'iris',
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'input', datatype: 'FP32', shape: ['-1', '4'] }],
    });
  });

  it('GIVEN ModelInfer with typed contents THEN the prediction comes back in typed contents', async () => {
    const { response, error } = await call(
      client,
      'ModelInfer',
      {
        model_name: 'iris',
        id: 'req-1',
        inputs: [
          { name: 'input', datatype: 'FP32', shape: [2, 4], contents: { fp32_contents: ROWS } },
        ],
        outputs: [{ name: 'label' }],
      },
      bearer(token),
    );
    expect(error).toBeUndefined();
    expect(response).toMatchObject({ model_name: 'iris', id: 'req-1' });
    const outputs = response?.outputs as {
      name: string;
      shape: string[];
      contents: { int64_contents: string[] };
    }[];
    expect(outputs).toHaveLength(1);
    expect(outputs[0]).toMatchObject({ name: 'label', datatype: 'INT64', shape: ['2'] });
    expect(outputs[0]?.contents.int64_contents).toEqual(['0', '2']);
  });

  it('GIVEN ModelInfer with raw_input_contents THEN outputs come back raw, and int64 stays exact', async () => {
    const big = new BigInt64Array([9007199254740993n, -5n]);
    const { response, error } = await call(
      client,
      'ModelInfer',
      {
        model_name: 'mixed',
        inputs: [
          { name: 'f32', datatype: 'FP32', shape: [2, 3] },
          { name: 'f64', datatype: 'FP64', shape: [2, 1] },
          { name: 'i64', datatype: 'INT64', shape: [1, 2] },
          { name: 'i32', datatype: 'INT32', shape: [2] },
          { name: 'u8', datatype: 'UINT8', shape: [2, 2, 2] },
          { name: 'i8', datatype: 'INT8', shape: [2, 1] },
          { name: 'flag', datatype: 'BOOL', shape: [2] },
        ],
        outputs: [{ name: 'i64_out' }, { name: 'flag_out' }],
        raw_input_contents: [
          Buffer.from(new Float32Array(6).buffer),
          Buffer.from(new Float64Array(2).buffer),
          Buffer.from(big.buffer),
          Buffer.from(new Int32Array(2).buffer),
          Buffer.alloc(8),
          Buffer.alloc(2),
          Buffer.from([1, 0]),
        ],
      },
      bearer(token),
    );
    // i64 has one row while the others have two: the same ROW_MISMATCH as over REST.
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.metadata.get('bentoctl-error-code')).toEqual(['ROW_MISMATCH']);
    expect(response).toBeUndefined();

    const fixed = await call(
      client,
      'ModelInfer',
      {
        model_name: 'mixed',
        inputs: [
          { name: 'f32', datatype: 'FP32', shape: [1, 3] },
          { name: 'f64', datatype: 'FP64', shape: [1, 1] },
          { name: 'i64', datatype: 'INT64', shape: [1, 2] },
          { name: 'i32', datatype: 'INT32', shape: [1] },
          { name: 'u8', datatype: 'UINT8', shape: [1, 2, 2] },
          { name: 'i8', datatype: 'INT8', shape: [1, 1] },
          { name: 'flag', datatype: 'BOOL', shape: [1] },
        ],
        outputs: [{ name: 'i64_out' }, { name: 'flag_out' }],
        raw_input_contents: [
          Buffer.from(new Float32Array(3).buffer),
          Buffer.from(new Float64Array(1).buffer),
          Buffer.from(big.buffer),
          Buffer.from(new Int32Array(1).buffer),
          Buffer.alloc(4),
          Buffer.alloc(1),
          Buffer.from([1]),
        ],
      },
      bearer(token),
    );
    expect(fixed.error).toBeUndefined();
    const raw = fixed.response?.raw_output_contents as Buffer[];
    expect(raw).toHaveLength(2);
    expect([...new BigInt64Array(new Uint8Array(raw[0] as Buffer).buffer)]).toEqual([...big]);
    expect([...(raw[1] as Buffer)]).toEqual([1]);
    const outputs = fixed.response?.outputs as { name: string; contents: unknown }[];
    expect(outputs.map((output) => output.name)).toEqual(['i64_out', 'flag_out']);
  });

  it('GIVEN bad ModelInfer requests THEN they get the REST checks as gRPC status codes', async () => {
    const infer = (request: Record<string, unknown>) =>
      call(client, 'ModelInfer', { model_name: 'iris', ...request }, bearer(token));
    const cases: [Record<string, unknown>, grpc.status, string][] = [
      [
        {
          inputs: [
            {
              name: 'input',
              datatype: 'FP32',
              shape: [1, 3],
              contents: { fp32_contents: [1, 2, 3] },
            },
          ],
        },
        grpc.status.INVALID_ARGUMENT,
        'WRONG_SHAPE',
      ],
      [
        {
          inputs: [
            {
              name: 'input',
              datatype: 'INT32',
              shape: [1, 4],
              contents: { int_contents: [1, 2, 3, 4] },
            },
          ],
        },
        grpc.status.INVALID_ARGUMENT,
        'WRONG_DTYPE',
      ],
      [
        {
          inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4] }],
          raw_input_contents: [Buffer.alloc(8)],
        },
        grpc.status.INVALID_ARGUMENT,
        'INVALID_BINARY_DATA',
      ],
      [{ model_name: 'nope', inputs: [] }, grpc.status.NOT_FOUND, 'MODEL_NOT_FOUND'],
      [{ model_version: '0000', inputs: [] }, grpc.status.NOT_FOUND, 'MODEL_NOT_FOUND'],
    ];
    for (const [request, status, code] of cases) {
      const { error } = await infer(request);
      expect(error?.code, code).toBe(status);
      expect(error?.metadata.get('bentoctl-error-code'), code).toEqual([code]);
    }
    // BENTOCTL_MAX_BODY_MB bounds gRPC messages too (1 MB here; grpc-js would take 4 MB).
    const huge = await infer({
      model_name: 'slow',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [512, 1024] }],
      raw_input_contents: [Buffer.alloc(512 * 1024 * 4)],
    });
    expect(huge.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(huge.error?.details).toMatch(/larger than max/i);
    const noToken = await call(client, 'ModelInfer', { model_name: 'iris', inputs: [] });
    expect(noToken.error?.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('GIVEN gRPC calls THEN they are counted in /metrics and logged with severity', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/bentoctl_grpc_requests_total\{method="ModelInfer",code="OK"\} [1-9]/);
    expect(text).toMatch(
      /bentoctl_grpc_requests_total\{method="ModelInfer",code="INVALID_ARGUMENT"\} [1-9]/,
    );
    const lines = server.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(
      lines.some(
        (line) =>
          line.message === 'grpc' && line.method === 'ModelInfer' && line.severity === 'DEBUG',
      ),
    ).toBe(true);
  });
});

describe('gRPC off by default', () => {
  it('GIVEN default settings THEN no gRPC port is opened', async () => {
    const server = await startTestServer(makeTestBento({ slowLayers: 1 }));
    expect(server.handle.grpcPort).toBeUndefined();
    await server.handle.shutdown();
  });
});

/** Whether a TCP connection to 127.0.0.1:`port` is accepted. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('gRPC opens once the models are loaded', () => {
  it('GIVEN the models still loading THEN the gRPC port is closed; once ready, it answers ServerReady', async () => {
    const { worker } = await runtimeBundle();
    const grpcPort = await freePort();
    const handle = await startRuntime({
      settings: readSettings(
        {},
        {
          // Its warm-up keeps the models loading for a good while after start-up returns.
          bentoDir: makeTestBento({ slowLayers: 200 }),
          host: '127.0.0.1',
          port: 0,
          grpc: true,
          grpcPort,
          inferenceThreads: 1,
          intraOpThreads: 1,
        },
      ),
      workerScript: worker,
      write: () => undefined,
    });
    try {
      // HTTP answers at once (liveness), gRPC not: an ALB's gRPC check reads only the status.
      expect((await fetch(`${handle.url}/livez`)).status).toBe(200);
      expect(handle.grpcPort).toBeUndefined();
      expect(await accepts(grpcPort)).toBe(false);
      await handle.ready;
      expect(handle.grpcPort).toBe(grpcPort);
      const client = inferenceClient(`127.0.0.1:${grpcPort}`);
      try {
        expect((await call(client, 'ServerReady', {})).response).toEqual({ ready: true });
      } finally {
        client.close();
      }
    } finally {
      await handle.shutdown();
    }
  });
});

describe('gRPC on a port taken', () => {
  it('GIVEN the gRPC port in use THEN readiness fails, saying which port', async () => {
    const { worker } = await runtimeBundle();
    const taken = createServer();
    const grpcPort = await new Promise<number>((resolve) => {
      taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port));
    });
    const lines: string[] = [];
    const handle = await startRuntime({
      settings: readSettings(
        {},
        {
          bentoDir: makeTestBento({ slowLayers: 1 }),
          host: '127.0.0.1',
          port: 0,
          grpc: true,
          grpcPort,
          inferenceThreads: 1,
          intraOpThreads: 1,
        },
      ),
      workerScript: worker,
      write: (line) => lines.push(line),
    });
    try {
      await expect(handle.ready).rejects.toThrow();
      const failure = lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((line) => line.message === 'the gRPC port could not be opened');
      expect(failure).toMatchObject({ severity: 'ERROR', grpcPort });
    } finally {
      await handle.shutdown();
      taken.close();
    }
  });
});

describe('gRPC at shutdown', () => {
  it('GIVEN a ModelInfer call running WHEN SIGTERM THEN it is answered, later calls are refused, and the stop is clean', async () => {
    const server = await startTestServer(makeTestBento({ slowLayers: 200 }), {
      grpc: true,
      grpcPort: 0,
      maxLatencyMs: 60_000,
    });
    const client = inferenceClient(`127.0.0.1:${server.handle.grpcPort}`);
    try {
      const rows = 64;
      const running = call(client, 'ModelInfer', {
        model_name: 'slow',
        inputs: [{ name: 'x', datatype: 'FP32', shape: [rows, 1024] }],
        raw_input_contents: [Buffer.alloc(rows * 1024 * 4)],
      });
      // Wait until the batch is on the inference thread, then stop.
      for (let attempt = 0; attempt < 500; attempt += 1) {
        const metrics = await (await fetch(`${server.url}/metrics`)).text();
        if (/bentoctl_inference_threads_busy 1\b/.test(metrics)) break;
      }
      const stopped = server.handle.shutdown();
      const { response, error } = await running;
      expect(error).toBeUndefined();
      expect((response?.raw_output_contents as Buffer[])[0]?.length).toBe(rows * 1024 * 4);
      expect((await stopped).clean).toBe(true);
      const after = await call(client, 'ServerLive', {});
      expect(after.error?.code).toBe(grpc.status.UNAVAILABLE);
    } finally {
      client.close();
    }
  }, 60_000);
});
