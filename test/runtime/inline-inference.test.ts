/**
 * Inference on the HTTP thread (src/runtime/inline-runner.ts): chosen on one core for models
 * whose batches are short, and answering exactly what the inference threads answer.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startRuntime, type RuntimeHandle } from '../../src/runtime/runtime.js';
import { readSettings, type RuntimeSettings } from '../../src/runtime/settings.js';
import { runtimeBundle } from './helpers/bundle.js';
import { validMixed } from './helpers/bad-requests.js';
import { makeTestBento } from './helpers/models.js';

const ROWS = [
  [5.1, 3.5, 1.4, 0.2],
  [6.4, 3.2, 4.5, 1.5],
  [6.3, 3.3, 6.0, 2.5],
];

interface Started {
  readonly handle: RuntimeHandle;
  readonly messages: string[];
}

const started: RuntimeHandle[] = [];
afterAll(async () => {
  await Promise.all(started.map((handle) => handle.shutdown()));
});

async function start(
  bentoDir: string,
  cores: number,
  overrides: Partial<Record<keyof RuntimeSettings, string | number | boolean>> = {},
): Promise<Started> {
  const messages: string[] = [];
  const handle = await startRuntime({
    settings: readSettings(
      {},
      { bentoDir, host: '127.0.0.1', port: 0, logLevel: 'info', intraOpThreads: 1, ...overrides },
      cores,
    ),
    workerScript: (await runtimeBundle()).worker,
    write: (line) => messages.push((JSON.parse(line) as { message: string }).message),
  });
  started.push(handle);
  await handle.ready;
  return { handle, messages };
}

const post = async (url: string, path: string, body: unknown) => {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
};

describe('where inference runs', () => {
  const fast = makeTestBento({ slowLayers: 1 });

  it('GIVEN one core and short batches THEN batches run on the HTTP thread and every API answers as on the inference threads', async () => {
    const inline = await start(fast, 1);
    const threads = await start(fast, 1, { inlineInference: 'off' });
    expect(inline.messages).toContainEqual(
      expect.stringMatching(/^inference on the HTTP thread: one core per process/),
    );
    expect(threads.messages).toContain(
      'inference on the inference threads: BENTOCTL_INLINE_INFERENCE=off',
    );
    const placement = async (url: string) =>
      /bentoctl_inference_placement\{placement="([^"]+)"\} 1/.exec(
        await (await fetch(`${url}/metrics`)).text(),
      )?.[1];
    expect(await placement(inline.handle.url)).toBe('HTTP thread');
    expect(await placement(threads.handle.url)).toBe('inference threads');
    for (const [path, body] of [
      ['/classify', { input: ROWS }],
      ['/mixed', validMixed()],
      [
        '/v2/models/iris/infer',
        { inputs: [{ name: 'input', shape: [3, 4], datatype: 'FP32', data: ROWS.flat() }] },
      ],
    ] as const) {
      const [a, b] = await Promise.all([
        post(inline.handle.url, path, body),
        post(threads.handle.url, path, body),
      ]);
      expect(a.status, path).toBe(200);
      expect(a.body, path).toEqual(b.body);
    }
  });

  it('GIVEN requests arriving together on the HTTP thread THEN they share batches and each gets its own rows back, batching on and off', async () => {
    for (const batching of [true, false]) {
      const { handle } = await start(fast, 1, { batching, maxLatencyMs: 50 });
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, index) =>
          post(handle.url, '/classify', { input: [ROWS[index % 3]] }),
        ),
      );
      const reference = await Promise.all(
        ROWS.map((row) => post(handle.url, '/classify', { input: [row] })),
      );
      answers.forEach((answer, index) => {
        expect(answer.status).toBe(200);
        expect(answer.body).toEqual(reference[index % 3]?.body);
      });
      const metrics = await (await fetch(`${handle.url}/metrics`)).text();
      const count = /bentoctl_batch_size_rows_count\{api="classify"\} (\d+)/.exec(metrics)?.[1];
      // 43 requests: with batching on, fewer batches than requests.
      if (batching) expect(Number(count)).toBeLessThan(43);
      else expect(Number(count)).toBe(43);
    }
  });

  it('GIVEN two cores per process, or a batch longer than the limit, THEN the inference threads, saying why', async () => {
    const twoCores = await start(fast, 2);
    expect(twoCores.messages).toContain(
      'inference on the inference threads: 2 cores per process, so inference runs beside HTTP',
    );
    const slow = await start(makeTestBento({ slowLayers: 400 }), 1, { maxLatencyMs: 60_000 });
    expect(slow.messages).toContainEqual(
      expect.stringMatching(/^inference on the inference threads: api slow: a batch of 32 takes/),
    );
  });
});
