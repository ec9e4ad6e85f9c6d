/**
 * The runtime exactly as images carry it (dist/runtime-bundle/main.js, written by npm run build)
 * serves a prediction on the Node that runs this test. CI runs the unit suites on each
 * supported Node line (.ci/run), so this checks the bundle on each of them.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUNTIME_BUNDLE_DIR } from '../../src/builders/runtime-bundle.js';
import { freePort } from '../helpers/registry.js';
import { repoRoot } from '../helpers/run-cli.js';

describe(`the bundled runtime on node ${process.version}`, () => {
  it('GIVEN the iris bento WHEN main.js starts THEN it gets ready and answers POST /classify', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [join(repoRoot, RUNTIME_BUNDLE_DIR, 'main.js')], {
      env: {
        PATH: process.env.PATH,
        BENTOCTL_BENTO_DIR: join(repoRoot, 'examples', 'iris'),
        BENTOCTL_HOST: '127.0.0.1',
        PORT: String(port),
        ORT_DISABLE_TELEMETRY: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitUntilReady(
        `${url}/readyz`,
        () => child.exitCode !== null,
        () => output,
      );
      const response = await fetch(`${url}/classify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([[6.9, 3.1, 5.4, 2.1]]),
      });
      expect(response.status, output).toBe(200);
      expect(((await response.json()) as { label: number[] }).label).toEqual([2]);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});

async function waitUntilReady(
  url: string,
  exited: () => boolean,
  output: () => string,
): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (exited()) throw new Error(`the runtime exited before it was ready:\n${output()}`);
    const status = await fetch(url).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the runtime was not ready within 30 s:\n${output()}`);
}
