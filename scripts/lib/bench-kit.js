/* global performance, fetch, setTimeout */
/**
 * What the runtime benchmarks (scripts/bench-runtime.js, scripts/bench-runtime-mixed.js) share:
 * the cores they pin to, the self re-exec under taskset, the runtime bundled like the image,
 * the MLP bento, starting a pinned server and waiting for it, and wrk runs pinned to the client
 * core. Each script keeps its own measurements.
 *
 * Environment: BENCH_SERVER_CPU (the core servers run on, default 1), BENCH_CLIENT_CPU (wrk and
 * the script itself, default 0), BENCH_SECONDS (per measurement, default 5).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { mlpModel } from './onnx-graph.js';
import { runtimeBuildOptions } from './runtime-build-options.js';

/** The repository root. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Seconds per measurement (BENCH_SECONDS, default 5). */
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** The core servers run on (BENCH_SERVER_CPU, default 1). */
export const SERVER_CPU = process.env.BENCH_SERVER_CPU ?? '1';
/** The core wrk and the benchmark script run on (BENCH_CLIENT_CPU, default 0). */
export const CLIENT_CPU = process.env.BENCH_CLIENT_CPU ?? '0';
/** wrk's connections unless a run asks for others. */
export const CONNECTIONS = 64;

// Random base so that two benchmarks on one machine rarely collide; below 32768 (ephemeral).
let nextPort = 20000 + Math.floor(Math.random() * 5000);

/**
 * Re-executes this script under `taskset -c CLIENT_CPU` and exits with its status, unless it
 * already runs so (BENCH_PINNED=1). Call before any measurement.
 */
export function pinSelfToClientCpu() {
  if (process.env.BENCH_PINNED === '1') return;
  const result = spawnSync(
    'taskset',
    ['-c', CLIENT_CPU, process.execPath, ...process.argv.slice(1)],
    {
      stdio: 'inherit',
      env: { ...process.env, BENCH_PINNED: '1' },
    },
  );
  process.exit(result.status ?? 1);
}

/** The middle value (the lower of the two middle ones for an even count). */
export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};

/** `value` rounded to `digits` decimals (default 1), as a number. */
export const round = (value, digits = 1) => Number(value.toFixed(digits));

/** `<cpu model> x<count>` and the load average, for a benchmark's header line. */
export function machine() {
  return {
    cpu: `${cpus()[0]?.model ?? 'cpu'} x${cpus().length}`,
    load: loadavg()
      .map((v) => v.toFixed(1))
      .join(' '),
  };
}

/** A new folder under the system temporary folder, removed when the process exits. */
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Bundles src/runtime as the image does (runtime-build-options.js) into a folder of
 * node_modules/.cache named `prefix…`, so onnxruntime-node resolves; removed at exit. Returns
 * the bundled main.js.
 */
export async function bundleRuntime(prefix) {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const outdir = mkdtempSync(join(cache, prefix));
  process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
  await build({ ...runtimeBuildOptions(join(root, 'src', 'runtime'), '.ts'), outdir });
  return join(outdir, 'main.js');
}

/**
 * Writes the benchmark MLP bento into `dir`: models/mlp.onnx (`width`-1024-1024-10, fixed
 * weights) behind the api `predict`. Returns the model file.
 */
export function writeMlpBento(dir, width) {
  mkdirSync(join(dir, 'models'), { recursive: true });
  const file = join(dir, 'models', 'mlp.onnx');
  writeFileSync(file, mlpModel({ name: 'mlp', layers: [width, 1024, 1024, 10], seed: 7 }));
  writeFileSync(
    join(dir, 'bento.yaml'),
    'service: mlp\nmodels:\n  - name: mlp\n    path: models/mlp.onnx\napis:\n  - name: predict\n    model: mlp\n',
  );
  return file;
}

/**
 * Starts `node <args>` pinned to the server core; resolves once `url` + `probe.path` answers 200
 * (60 s at most) with the url, the milliseconds that took, `cpuMs()` (see processCpuMs) and
 * `stop()` (SIGTERM, SIGKILL 30 s later).
 */
export async function startPinnedServer(args, env, url, probe) {
  const started = performance.now();
  const child = spawn('taskset', ['-c', SERVER_CPU, process.execPath, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // A benchmark that fails must not leave a server running on the pinned core.
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = await fetch(`${url}${probe.path}`, probe.init).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (Date.now() > deadline) throw new Error(`${args.join(' ')} did not start`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const readyMs = performance.now() - started;
  const stop = () =>
    new Promise((done) => {
      process.off('exit', orphan);
      if (child.exitCode !== null) return done();
      child.once('exit', done);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
    });
  return { url, readyMs, cpuMs: () => processCpuMs(child.pid), stop };
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux for every arch). */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU time used so far by process `pid` (taskset execs node, so the child's pid is the
 * server's), from /proc: `main` is its main thread (the HTTP thread: its thread id is the
 * pid), `total` all its threads (inference, parse, GC helpers). In ms, 10 ms resolution.
 * CPU time, unlike throughput, counts only what the server itself ran, so it is the figure
 * least moved by other processes on a shared core.
 */
export function processCpuMs(pid) {
  const ticks = (file) => {
    // Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
    const fields = readFileSync(file, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]);
  };
  const toMs = (value) => (value * 1000) / CLOCK_TICKS_PER_SECOND;
  return {
    main: toMs(ticks(`/proc/${pid}/task/${pid}/stat`)),
    total: toMs(ticks(`/proc/${pid}/stat`)),
  };
}

/** A port for the next server to listen on. */
export const takePort = () => nextPort++;

/**
 * Starts the bundled runtime `main` on the bento in `bentoDir` (1 intra-op thread, errors-only
 * log, 127.0.0.1, a fresh port) with `env` on top; ready once /readyz answers 200.
 */
export function startRuntime(main, bentoDir, env) {
  const port = takePort();
  return startPinnedServer(
    [main],
    {
      BENTOCTL_BENTO_DIR: bentoDir,
      BENTOCTL_HOST: '127.0.0.1',
      PORT: String(port),
      BENTOCTL_LOG_LEVEL: 'error',
      BENTOCTL_INTRA_OP_THREADS: '1',
      ...env,
    },
    `http://127.0.0.1:${port}`,
    { path: '/readyz' },
  );
}

/** Writes a wrk Lua script to `file` that POSTs `body` as application/json. */
export function writeWrkPostScript(file, body) {
  writeFileSync(
    file,
    `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\nwrk.headers["Content-Type"] = "application/json"\n`,
  );
}

/** wrk's duration text (`512.3us`, `1.2ms`, `5.00s`) in milliseconds; NaN when absent. */
function wrkMs(text) {
  const match = /([\d.]+)(us|ms|s)/.exec(text ?? '');
  if (!match) return NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

/**
 * wrk (1 thread, closed loop, the Lua `script`) against `url` for `seconds` on `connections`,
 * pinned to the client core: answered requests per second, requests sent, refused (non-2xx and
 * socket errors), p50 and p99 in ms.
 */
export function runWrk(url, script, { seconds = SECONDS, connections = CONNECTIONS } = {}) {
  const result = spawnSync(
    'taskset',
    [
      '-c',
      CLIENT_CPU,
      'wrk',
      '-t1',
      `-c${connections}`,
      `-d${seconds}s`,
      '--latency',
      '-s',
      script,
      url,
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`wrk failed: ${result.stderr}`);
  const out = result.stdout;
  const number = (pattern) => Number(pattern.exec(out)?.[1] ?? 0);
  const total = number(/(\d+) requests in/);
  const non2xx = number(/Non-2xx or 3xx responses: (\d+)/);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  const elapsed = wrkMs(/requests in ([\d.]+(?:us|ms|s))/.exec(out)?.[1]);
  return {
    rowsPerSec: ((total - non2xx) * 1000) / elapsed,
    requests: total,
    refused: non2xx + errors,
    p50: wrkMs(/ 50%\s+(\S+)/.exec(out)?.[1]),
    p99: wrkMs(/ 99%\s+(\S+)/.exec(out)?.[1]),
  };
}

/**
 * POSTs `body` as application/json to `path` on an undici `pool` and drains the answer:
 * resolves with the status code, or 0 when the request failed (connection refused or reset).
 */
export function postJson(pool, path, body) {
  return pool
    .request({ path, method: 'POST', headers: { 'content-type': 'application/json' }, body })
    .then(
      async (response) => {
        await response.body.dump();
        return response.statusCode;
      },
      () => 0,
    );
}
