/**
 * `runtime.grpc` from a deployment config reaches the runtime as a stack carries it: the
 * container environment `runtimeEnvironment()` gives every target, handed to the runtime exactly
 * as images carry it (dist/runtime-bundle/main.js), which then answers a grpc-js client on the
 * configured port.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUNTIME_BUNDLE_DIR } from '../../src/builders/runtime-bundle.js';
import { runtimeEnvironment } from '../../src/config/runtime-env.js';
import { freePort } from '../helpers/registry.js';
import { repoRoot } from '../helpers/run-cli.js';
import { call, inferenceClient } from '../runtime/helpers/grpc-client.js';
import { configText, loadTestConfig } from '../targets/target-synth-harness.js';

describe('runtime.grpc from a config, served by the bundled runtime', () => {
  it('GIVEN runtime.grpc on a port WHEN main.js runs with the stack environment THEN a grpc-js client gets a prediction there', async () => {
    const port = await freePort();
    const grpcPort = await freePort();
    const config = loadTestConfig(
      configText(
        'azure-aks',
        'api_server_authorized_ip_ranges: [203.0.113.0/24]',
        `runtime:\n  port: ${port}\n  grpc: { enabled: true, port: ${grpcPort} }\n`,
      ),
    );
    const environment = runtimeEnvironment(config);
    expect(environment).toMatchObject({ BENTOCTL_GRPC: 'true', BENTOCTL_GRPC_PORT: `${grpcPort}` });

    const child = spawn(process.execPath, [join(repoRoot, RUNTIME_BUNDLE_DIR, 'main.js')], {
      env: {
        PATH: process.env.PATH,
        ...environment,
        // What the image sets (templates/Dockerfile); the host keeps it off other interfaces.
        BENTOCTL_BENTO_DIR: join(repoRoot, 'examples', 'iris'),
        BENTOCTL_HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    const client = inferenceClient(`127.0.0.1:${grpcPort}`);
    try {
      await waitUntil(
        async () => (await call(client, 'ServerReady', {})).response?.ready === true,
        () => child.exitCode !== null,
        () => output,
      );
      const { response, error } = await call(client, 'ModelInfer', {
        model_name: 'iris',
        inputs: [
          {
            name: 'input',
            datatype: 'FP32',
            shape: [1, 4],
            contents: { fp32_contents: [6.9, 3.1, 5.4, 2.1] },
          },
        ],
        outputs: [{ name: 'label' }],
      });
      expect(error, output).toBeUndefined();
      const [label] = response?.outputs as {
        name: string;
        contents: { int64_contents: string[] };
      }[];
      expect(label?.name).toBe('label');
      expect(label?.contents.int64_contents).toEqual(['2']);
      // The HTTP port of the config serves beside it.
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    } finally {
      client.close();
      child.kill('SIGTERM');
      await exited;
    }
  });
});

/** Polls `check` every 100 ms for 30 s; fails early when the runtime exits. */
async function waitUntil(
  check: () => Promise<boolean>,
  exited: () => boolean,
  output: () => string,
): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (exited()) throw new Error(`the runtime exited before it was ready:\n${output()}`);
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the gRPC service was not ready within 30 s:\n${output()}`);
}
