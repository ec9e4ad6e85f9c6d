/**
 * Runs the real CLI (`node bin/run.js`) as a child process, the way users and CI do, so tests
 * see true exit codes and stderr. Commands load from dist: `npm run build` first.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(repoRoot, 'bin', 'run.js');

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, NO_COLOR: '1', DEBUG: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 30_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Runs many CLI calls with bounded parallelism (two cores here). */
export async function runCliMany(
  calls: readonly {
    args: readonly string[];
    cwd?: string;
    env?: Record<string, string | undefined>;
  }[],
  parallel = 3,
): Promise<CliResult[]> {
  const results: CliResult[] = new Array<CliResult>(calls.length);
  let next = 0;
  const worker = async () => {
    while (next < calls.length) {
      const index = next++;
      const call = calls[index];
      if (call !== undefined) results[index] = await runCli(call.args, call);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return results;
}
