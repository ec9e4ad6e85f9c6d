/** Runs the bundled runtime entry point as a child process, the way the image does. */
import { spawn, type ChildProcess } from 'node:child_process';
import { runtimeBundle } from './bundle.js';

export interface ChildServer {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  /** Resolves with the URL once the server logged `listening` and `ready`. */
  readonly ready: Promise<string>;
  readonly exited: Promise<number | null>;
}

export async function spawnRuntime(env: Record<string, string>): Promise<ChildServer> {
  const { main } = await runtimeBundle();
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH ?? '', BENTOCTL_HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  let url: string | undefined;
  let stderr = '';
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>;
        buffered = buffered.slice(newline + 1);
        lines.push(line);
        if (line.message === 'listening') url = String(line.url);
        if (line.message === 'ready' && url !== undefined) resolve(url);
        newline = buffered.indexOf('\n');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) =>
      reject(new Error(`runtime exited with ${code} before ready: ${stderr}`)),
    );
  });
  ready.catch(() => undefined);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Bounded: never leave a server behind if a test fails midway.
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  void exited.then(() => clearTimeout(killer));
  return { child, lines, ready, exited };
}
