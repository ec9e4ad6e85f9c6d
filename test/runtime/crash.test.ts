import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type RuntimeHandle } from '../../src/runtime/runtime.js';
import { readSettings } from '../../src/runtime/settings.js';
import { runtimeBundle } from './helpers/bundle.js';
import { makeTestBento } from './helpers/models.js';

/** A row the crashing worker below dies on; warm-up batches never contain it. */
const POISON = [666, 3.5, 1.4, 0.2];
const SETOSA = [5.1, 3.5, 1.4, 0.2];

/**
 * The real inference thread, except that it dies (as a native crash or an out-of-memory kill
 * of the thread would) on a batch that contains the POISON value: the listener registered
 * before the real worker's own sees the message first.
 */
async function crashingWorker(): Promise<string> {
  const { worker } = await runtimeBundle();
  const file = join(dirname(worker), 'crashing-inference-worker.js');
  writeFileSync(
    file,
    `import { parentPort } from 'node:worker_threads';
parentPort.on('message', (message) => {
  if (message.type !== 'run') return;
  if (Object.values(message.feeds).some((tensor) => Array.prototype.includes.call(tensor.data, 666))) process.exit(7);
});
await import(${JSON.stringify(pathToFileURL(worker).href)});
`,
  );
  return file;
}

describe.each([
  ['batching on', true],
  ['batching off', false],
])('GIVEN the inference thread dies on a batch (%s)', (_name, batching) => {
  let handle: RuntimeHandle;
  const logs: string[] = [];
  beforeAll(async () => {
    handle = await startRuntime({
      settings: readSettings(
        {},
        {
          bentoDir: makeTestBento(),
          host: '127.0.0.1',
          port: 0,
          logLevel: 'error',
          inferenceThreads: 1,
          intraOpThreads: 1,
          // What dies here is an inference thread: keep batches there on a one-core machine too.
          inlineInference: 'off',
          batching,
          maxLatencyMs: 2000,
        },
      ),
      workerScript: await crashingWorker(),
      write: (line) => logs.push(line),
    });
    await handle.ready;
  });
  afterAll(async () => {
    await handle.shutdown();
  });

  const classify = (row: number[] = SETOSA) =>
    fetch(`${handle.url}/classify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: [row] }),
      signal: AbortSignal.timeout(10_000),
    });

  it('THEN the requests of that batch and those queued behind it fail promptly with a JSON error, and later ones are refused', async () => {
    expect((await classify()).status).toBe(200);
    const started = performance.now();
    const answers = await Promise.all([
      classify(POISON),
      ...Array.from({ length: 5 }, () => classify()),
    ]);
    // Nobody waits for a thread that will never come back (nor for the 2 s latency budget).
    expect(performance.now() - started).toBeLessThan(1500);
    for (const answer of answers) {
      expect(answer.status).toBeGreaterThanOrEqual(500);
      const body = (await answer.json()) as { code: string; message: string };
      expect(body.message).toMatch(/inference thread/);
    }
    const later = await classify();
    expect(later.status).toBe(503);
    expect(((await later.json()) as { code: string }).code).toBe('NOT_READY');
  });

  it('THEN /livez and /readyz fail so the orchestrator restarts the instance, and the log says why', async () => {
    expect((await fetch(`${handle.url}/livez`)).status).toBeGreaterThanOrEqual(500);
    expect((await fetch(`${handle.url}/readyz`)).status).toBe(503);
    expect(logs.join('\n')).toContain('an inference thread died');
  });
});
