/** Starts the runtime in-process on 127.0.0.1:0 for HTTP tests, and stops it afterwards. */
import { startRuntime, type RuntimeHandle } from '../../../src/runtime/runtime.js';
import { readSettings, type RuntimeSettings } from '../../../src/runtime/settings.js';
import { runtimeBundle } from './bundle.js';

export interface TestServer {
  readonly handle: RuntimeHandle;
  readonly url: string;
  readonly logs: string[];
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
}

export async function startTestServer(
  bentoDir: string,
  overrides: Partial<Record<keyof RuntimeSettings, string | number | boolean>> = {},
  env: NodeJS.ProcessEnv = {},
): Promise<TestServer> {
  const { worker } = await runtimeBundle();
  const settings = readSettings(env, {
    bentoDir,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'debug',
    inferenceThreads: 1,
    intraOpThreads: 1,
    ...overrides,
  });
  const logs: string[] = [];
  const handle = await startRuntime({
    settings,
    workerScript: worker,
    write: (line) => logs.push(line),
  });
  await handle.ready;
  return {
    handle,
    url: handle.url,
    logs,
    post: (path, body, headers = {}) =>
      fetch(`${handle.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
  };
}
