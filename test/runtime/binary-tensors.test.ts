import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestBento } from './helpers/models.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const ROWS = [
  [5.1, 3.5, 1.4, 0.2],
  [6.5, 3.0, 5.5, 2.0],
];

/** A binary-extension body: the JSON header, then each buffer, with the header's length. */
function binaryRequest(header: unknown, ...tensors: ArrayBufferView[]) {
  const json = Buffer.from(JSON.stringify(header));
  const parts = tensors.map((view) => Buffer.from(view.buffer, view.byteOffset, view.byteLength));
  return {
    body: Buffer.concat([json, ...parts]),
    headers: {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(json.length),
    },
  };
}

function irisInput(data = new Float32Array(ROWS.flat())) {
  return {
    name: 'input',
    shape: [data.length / 4, 4],
    datatype: 'FP32',
    parameters: { binary_data_size: data.byteLength },
  };
}

/** Splits a binary response into its JSON header and the bytes after it. */
async function readBinaryResponse(response: Response) {
  const length = Number(response.headers.get('inference-header-content-length'));
  const bytes = Buffer.from(await response.arrayBuffer());
  const header = JSON.parse(bytes.subarray(0, length).toString('utf8')) as {
    outputs: {
      name: string;
      datatype: string;
      shape: number[];
      data?: unknown[];
      parameters?: { binary_data_size: number };
    }[];
  };
  return { header, tail: bytes.subarray(length) };
}

describe('OIP v2 binary tensor data', () => {
  let server: TestServer;
  const infer = (model: string, request: { body: Buffer; headers: Record<string, string> }) =>
    fetch(`${server.url}/v2/models/${model}/infer`, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
    });
  beforeAll(async () => {
    server = await startTestServer(makeTestBento({ slowLayers: 1 }));
  });
  afterAll(async () => {
    await server.handle.shutdown();
  });

  it('GIVEN server metadata THEN it lists the binary_tensor_data extension', async () => {
    const body = (await (await fetch(`${server.url}/v2`)).json()) as { extensions: string[] };
    expect(body.extensions).toContain('binary_tensor_data');
  });

  it('GIVEN an input as raw little-endian FP32 bytes WHEN inferred THEN the prediction matches the JSON request', async () => {
    const response = await infer(
      'iris',
      binaryRequest({ inputs: [irisInput()] }, new Float32Array(ROWS.flat())),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const body = (await response.json()) as { outputs: { name: string; data: number[] }[] };
    expect(body.outputs.find((output) => output.name === 'label')?.data).toEqual([0, 2]);
  });

  it('GIVEN outputs asked for with binary_data: true THEN they come back as bytes after the JSON header', async () => {
    const response = await infer(
      'iris',
      binaryRequest(
        {
          inputs: [irisInput()],
          outputs: [
            { name: 'label', parameters: { binary_data: true } },
            { name: 'probabilities' },
          ],
        },
        new Float32Array(ROWS.flat()),
      ),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    const { header, tail } = await readBinaryResponse(response);
    const [label, probabilities] = header.outputs;
    expect(label).toMatchObject({ name: 'label', datatype: 'INT64', shape: [2] });
    expect(label?.data).toBeUndefined();
    expect(label?.parameters?.binary_data_size).toBe(16);
    expect(tail.length).toBe(16);
    expect([...new BigInt64Array(new Uint8Array(tail).buffer)]).toEqual([0n, 2n]);
    // Not asked for as binary: still JSON.
    expect(probabilities?.data).toHaveLength(6);
  });

  it('GIVEN binary_data_output: true THEN every output is binary, in order, and 64-bit integers round-trip exactly', async () => {
    const big = new BigInt64Array([9007199254740993n, -9007199254740993n, 1n, 2n]);
    const f32 = new Float32Array([1.5, 2, 3, 4, 5, 6]);
    const flag = new Uint8Array([1, 0]);
    const response = await infer(
      'mixed',
      binaryRequest(
        {
          parameters: { binary_data_output: true },
          inputs: [
            { name: 'i64', shape: [2, 2], datatype: 'INT64', parameters: { binary_data_size: 32 } },
            { name: 'f32', shape: [2, 3], datatype: 'FP32', parameters: { binary_data_size: 24 } },
            { name: 'flag', shape: [2], datatype: 'BOOL', parameters: { binary_data_size: 2 } },
            // JSON and binary inputs mix in one request.
            { name: 'f64', shape: [2, 1], datatype: 'FP64', data: [1, 2] },
            { name: 'i32', shape: [2], datatype: 'INT32', data: [3, 4] },
            { name: 'u8', shape: [2, 2, 2], datatype: 'UINT8', data: [1, 2, 3, 4, 5, 6, 7, 8] },
            { name: 'i8', shape: [2, 1], datatype: 'INT8', data: [-1, 1] },
          ],
          outputs: [{ name: 'i64_out' }, { name: 'flag_out' }, { name: 'f32_out' }],
        },
        big,
        f32,
        flag,
      ),
    );
    expect(response.status).toBe(200);
    const { header, tail } = await readBinaryResponse(response);
    expect(
      header.outputs.map((output) => [output.name, output.parameters?.binary_data_size]),
    ).toEqual([
      ['i64_out', 32],
      ['flag_out', 2],
      ['f32_out', 24],
    ]);
    const copy = (start: number, end: number) => new Uint8Array(tail.subarray(start, end)).buffer;
    expect([...new BigInt64Array(copy(0, 32))]).toEqual([...big]);
    expect([...new Uint8Array(copy(32, 34))]).toEqual([1, 0]);
    expect([...new Float32Array(copy(34, 58))]).toEqual([...f32]);
  });

  it('GIVEN malformed binary requests THEN each is a 400 with the OIP error body, and the server carries on', async () => {
    const good = binaryRequest({ inputs: [irisInput()] }, new Float32Array(ROWS.flat()));
    const cases: [string, { body: Buffer; headers: Record<string, string> }, string, RegExp][] = [
      [
        'header length is not a number',
        { ...good, headers: { ...good.headers, 'inference-header-content-length': '12abc' } },
        'INVALID_BINARY_DATA',
        /must be the JSON header's size/,
      ],
      [
        'header length beyond the body',
        {
          ...good,
          headers: {
            ...good.headers,
            'inference-header-content-length': String(good.body.length + 1),
          },
        },
        'INVALID_BINARY_DATA',
        /but the body has/,
      ],
      [
        'header length cuts the JSON short',
        { ...good, headers: { ...good.headers, 'inference-header-content-length': '10' } },
        'INVALID_JSON',
        /not valid JSON/,
      ],
      [
        'binary_data_size larger than the data sent',
        binaryRequest(
          { inputs: [{ ...irisInput(), parameters: { binary_data_size: 64 } }] },
          new Float32Array(ROWS.flat()),
        ),
        'INVALID_BINARY_DATA',
        /only 32 bytes of binary data are left/,
      ],
      [
        'bytes left over',
        binaryRequest(
          { inputs: [irisInput()] },
          new Float32Array(ROWS.flat()),
          new Float32Array(1),
        ),
        'INVALID_BINARY_DATA',
        /4 bytes of binary data that no input/,
      ],
      [
        'size disagrees with the shape',
        binaryRequest(
          { inputs: [{ ...irisInput(), shape: [1, 4] }] },
          new Float32Array(ROWS.flat()),
        ),
        'INVALID_BINARY_DATA',
        /needs 16 \(4 x 4\)/,
      ],
      [
        'binary_data_size without the header',
        {
          body: Buffer.from(JSON.stringify({ inputs: [irisInput()] })),
          headers: { 'content-type': 'application/json' },
        },
        'INVALID_BINARY_DATA',
        /no Inference-Header-Content-Length/,
      ],
      [
        'negative binary_data_size',
        binaryRequest({ inputs: [{ ...irisInput(), parameters: { binary_data_size: -4 } }] }),
        'INVALID_BINARY_DATA',
        /non-negative integer/,
      ],
    ];
    for (const [name, request, code, message] of cases) {
      const response = await infer('iris', request);
      expect(response.status, name).toBe(400);
      const body = (await response.json()) as { error: string; code: string };
      expect(body.code, name).toBe(code);
      expect(body.error, name).toMatch(message);
    }
    const badBool = await infer(
      'mixed',
      binaryRequest(
        {
          inputs: [
            { name: 'flag', shape: [1], datatype: 'BOOL', parameters: { binary_data_size: 1 } },
            { name: 'f32', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] },
            { name: 'f64', shape: [1, 1], datatype: 'FP64', data: [1] },
            { name: 'i64', shape: [1, 2], datatype: 'INT64', data: [1, 2] },
            { name: 'i32', shape: [1], datatype: 'INT32', data: [3] },
            { name: 'u8', shape: [1, 2, 2], datatype: 'UINT8', data: [1, 2, 3, 4] },
            { name: 'i8', shape: [1, 1], datatype: 'INT8', data: [-1] },
          ],
        },
        new Uint8Array([2]),
      ),
    );
    expect(badBool.status).toBe(400);
    expect(await badBool.json()).toMatchObject({
      code: 'WRONG_DTYPE',
      error: expect.stringContaining('BOOL binary data is one byte, 0 or 1') as unknown,
    });
    expect((await infer('iris', good)).status).toBe(200);
  });
});
