/**
 * Runs the real CLI (`node bin/run.js`) as a child process, the way users and CI do, so tests
 * see true exit codes and stderr. Commands load from dist/, so every start first checks that
 * dist/ is built and no older than src/ (assertCliBuilt): a suite must not pass or fail on
 * yesterday's code. `npm run build` first.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { newestFile } from '../../src/newest-file.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The entry point users run; it loads the commands from dist/. */
export const cliBin = join(repoRoot, 'bin', 'run.js');
/** Written by `npm run build` after tsc, so its time is the build's (relative to the package). */
const BUILT_MARKER = join('dist', 'commands', 'plan.js');

export interface CliResult {
  /** The exit status; null when a signal ended the process. */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /**
   * The package whose `bin/run.js` runs and whose `dist/` is checked against its `src/`
   * (another one only in the guard's own test).
   * @default the repository root
   */
  readonly root?: string;
  /** @default the repository root */
  readonly cwd?: string;
  /** Added to this process's environment (with NO_COLOR=1 and DEBUG unset). */
  readonly env?: Record<string, string | undefined>;
  /** SIGKILL after this long. @default 60_000 */
  readonly timeoutMs?: number;
  /** Lead its own process group, as a shell job does. @default false */
  readonly detached?: boolean;
}

export interface StartedCli {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** What it printed so far. */
  output(): { readonly stdout: string; readonly stderr: string };
  /** Resolves when it exits. */
  readonly exited: Promise<CliResult>;
}

/** Packages whose dist/ was found up to date: checked once per test file, not per spawn. */
const checked = new Set<string>();

/** Throws when dist/ is missing or a file under src/ changed after the last build. */
export function assertCliBuilt(root: string = repoRoot): void {
  if (checked.has(root)) return;
  const marker = join(root, BUILT_MARKER);
  if (!existsSync(marker))
    throw new Error('dist/ is not built: run `npm run build` before the suites that spawn the CLI');
  const builtMs = statSync(marker).mtimeMs;
  const newer = newestFile(join(root, 'src'));
  if (newer !== undefined && newer.mtimeMs > builtMs) {
    throw new Error(
      `${relative(root, newer.file)} changed after dist/ was built (${new Date(builtMs).toISOString()}): these tests spawn the built CLI, so run \`npm run build\` first`,
    );
  }
  checked.add(root);
}

/** Starts the CLI; for tests that read its output as it comes or send it signals. */
export function startCli(args: readonly string[], options: CliOptions = {}): StartedCli {
  const root = options.root ?? repoRoot;
  assertCliBuilt(root);
  const child = spawn(process.execPath, [join(root, 'bin', 'run.js'), ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, NO_COLOR: '1', DEBUG: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached === true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(killer);
      resolve({ status, stdout, stderr });
    });
  });
  return { child, output: () => ({ stdout, stderr }), exited };
}

/** Runs the CLI to its end. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).exited;
}

/** Runs many CLI calls with bounded parallelism (two cores here). */
export async function runCliMany(
  calls: readonly ({ readonly args: readonly string[] } & CliOptions)[],
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
