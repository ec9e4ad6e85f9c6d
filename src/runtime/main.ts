/**
 * The runtime's entry point: `node main.js` starts the server from the environment
 * (each setting, its variable and default declared once in src/config/runtime-settings.ts).
 *
 * Bundling (the image builder, issue 5): esbuild needs TWO entry points, written side by side
 * in the same folder, ESM format, platform node:
 *   - src/runtime/main.ts              -> main.js
 *   - src/runtime/inference-worker.ts  -> inference-worker.js (started as a worker thread,
 *                                         located at run time as ./inference-worker.js
 *                                         relative to main.js via import.meta.url)
 * with `onnxruntime-node` external (its native binding is loaded from node_modules/onnxruntime-node
 * and needs bin/napi-v6/linux/x64/{onnxruntime_binding.node,libonnxruntime.so.1}). Everything
 * else (zod, yaml, prom-client) bundles. With more than one worker process, node cluster
 * re-runs main.js itself for each.
 */
import cluster from 'node:cluster';
import { realpathSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BentoLoadError, loadBentoManifest } from '../bento/manifest.js';
import { logLine } from './logger.js';
import { superviseCluster } from './cluster-link.js';
import { startRuntime, type RuntimeHandle } from './runtime.js';
import {
  readSettings,
  RuntimeSettingsError,
  settingsToEnv,
  type RuntimeSettings,
} from './settings.js';

// Before onnxruntime loads anywhere in this process: no outbound calls.
process.env.ORT_DISABLE_TELEMETRY = '1';

/** Runs the server (or, with several workers, the cluster primary) until SIGTERM/SIGINT. */
export async function runServer(
  settings: RuntimeSettings,
  options: { readonly mainScript?: string } = {},
): Promise<void> {
  if (settings.workers > 1 && cluster.isPrimary) {
    await runPrimary(settings, options.mainScript ?? fileURLToPath(import.meta.url));
    return;
  }
  let handle: RuntimeHandle | undefined;
  let signalled: string | undefined;
  const stop = (signal: string): void => {
    if (handle === undefined) {
      // Still loading (a cluster worker listens only once loaded): stop when it is.
      signalled = signal;
      return;
    }
    handle.logger.log('info', 'signal', { signal });
    void handle.shutdown().then(({ clean }) => {
      process.exit(clean ? 0 : 1);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  try {
    handle = await startRuntime({ settings, clusterWorker: cluster.isWorker });
  } catch (error) {
    process.stderr.write(
      `${logLine('error', 'start-up failed', { error: String(error instanceof Error ? error.message : error) })}\n`,
    );
    process.exitCode = 1;
    return;
  }
  if (signalled !== undefined) stop(signalled);
  handle.ready.catch(() => {
    // A server that cannot load its models should fail its health checks and restart.
    process.exit(1);
  });
}

/** The cluster primary forks the workers, restarts crashed ones and forwards SIGTERM. */
async function runPrimary(settings: RuntimeSettings, mainScript: string): Promise<void> {
  // Fail fast on a bad bento here, rather than in every worker over and over.
  loadBentoManifest(settings.bentoDir);
  // Workers accept from the shared socket themselves. With round robin the primary accepts and
  // hands each connection over; a worker killed during a hand-off left the connection open in
  // the primary, unread (a hanging request, then a CLOSE-WAIT socket).
  // Frozen by setupPrimary: set first.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({ exec: mainScript, args: [] });
  const link = superviseCluster(settings.workers);
  let stopping = false;
  let failures = 0;
  let quickDeaths = 0;
  const forkedAt = new Map<number, number>();
  const fork = () => {
    const worker = cluster.fork({
      ...settingsToEnv(settings),
      ...(settings.authToken === undefined ? {} : { [settings.authTokenEnv]: settings.authToken }),
    });
    forkedAt.set(worker.id, Date.now());
  };
  const stop = (signal: NodeJS.Signals): void => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) {
      worker?.process.kill(signal === 'SIGINT' ? 'SIGTERM' : signal);
    }
  };
  for (let index = 0; index < settings.workers; index += 1) fork();
  cluster.on('exit', (worker, code, signal) => {
    link.forget(worker);
    if (!stopping) {
      const line = logLine('error', 'worker process died', {
        workerPid: worker.process.pid,
        code,
        signal,
      });
      process.stderr.write(`${line}\n`);
      // A worker that dies within seconds of starting will do so again: stop instead of looping.
      quickDeaths = Date.now() - (forkedAt.get(worker.id) ?? 0) < 10_000 ? quickDeaths + 1 : 0;
      if (quickDeaths < 3) {
        fork();
        return;
      }
      process.stderr.write(`${logLine('error', 'workers keep dying at start-up; stopping')}\n`);
      failures += 1;
      stop('SIGTERM');
    }
    if (code !== 0) failures += 1;
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(failures === 0 ? 0 : 1);
  });
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  await Promise.resolve();
}

// Node runs the main module from its real path: compare real paths, or a symlinked folder
// (node_modules linked from elsewhere) would make the entry point silently do nothing.
const isEntry =
  process.argv[1] !== undefined &&
  fileURLToPath(import.meta.url) === realpathSync(resolvePath(process.argv[1]));
if (isEntry) {
  try {
    await runServer(readSettings());
  } catch (error) {
    if (!(error instanceof RuntimeSettingsError) && !(error instanceof BentoLoadError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}
