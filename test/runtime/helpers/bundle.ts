/**
 * Bundles the runtime from src/ with the build's esbuild options
 * (scripts/lib/runtime-build-options.js), so tests run the real worker-thread script and, for
 * child-process tests, the real entry point. Written under node_modules/.cache so `onnxruntime-node`
 * resolves from the repository's node_modules.
 */
import { build } from 'esbuild';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { runtimeBuildOptions } from '../../../scripts/lib/runtime-build-options.js';
import { repoRoot } from '../../helpers/run-cli.js';

export interface RuntimeBundle {
  readonly main: string;
  readonly worker: string;
}

let pending: Promise<RuntimeBundle> | undefined;

/** One bundle per test file (vitest isolates files), built on first use. */
export function runtimeBundle(): Promise<RuntimeBundle> {
  pending ??= (async () => {
    const cache = join(repoRoot, 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    // One folder per test process; folders of processes that have exited are removed here,
    // since vitest workers do not always get to run exit hooks.
    for (const entry of readdirSync(cache)) {
      const pid = /^bentoctl-runtime-(\d+)-\d+$/.exec(entry)?.[1];
      if (pid !== undefined && !isAlive(Number(pid)))
        rmSync(join(cache, entry), { recursive: true, force: true });
    }
    const outdir = join(cache, `bentoctl-runtime-${process.pid}-${threadId}`);
    await build({ ...runtimeBuildOptions(join(repoRoot, 'src', 'runtime'), '.ts'), outdir });
    return { main: join(outdir, 'main.js'), worker: join(outdir, 'inference-worker.js') };
  })();
  return pending;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
