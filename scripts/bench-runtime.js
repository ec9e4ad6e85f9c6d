#!/usr/bin/env node
/* global performance, fetch, setTimeout */
/**
 * `npm run bench:runtime`: the runtime's throughput and latency against raw onnxruntime-node,
 * on 127.0.0.1 only, bounded in time (about 3 minutes). Not a test: it prints figures.
 *
 *   (a) raw onnxruntime-node in-process, batch 1 and batch max_batch_size
 *   (b) the runtime (bundled like the image, run as a child process), batching on,
 *       1-row requests from 64 autocannon connections
 *   (c) the same with batching off
 *   plus p99 at half of (b)'s peak rate, and process start to /readyz 200.
 *
 * Models: a 1 M parameter MLP (256-1024-1024-10, generated with fixed weights) and the iris
 * classifier of examples/iris. Environment: BENCH_SECONDS (per measurement, default 5),
 * BENCH_RUNS (runs per figure, median taken, default 3), and any BENTOCTL_* runtime setting.
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import ort from 'onnxruntime-node';
import { Pool } from 'undici';
import { mlpModel } from './lib/onnx-graph.js';
import { runtimeBuildOptions } from './lib/runtime-build-options.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONNECTIONS = 64;
const MAX_BATCH = Number(process.env.BENTOCTL_MAX_BATCH_SIZE ?? 32);
const MAX_LATENCY_MS = Number(process.env.BENTOCTL_MAX_LATENCY_MS ?? 10);

process.env.ORT_DISABLE_TELEMETRY = '1';

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};
const round = (value, digits = 1) => Number(value.toFixed(digits));

async function bundleRuntime() {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const outdir = mkdtempSync(join(cache, 'bentoctl-bench-'));
  process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
  await build({ ...runtimeBuildOptions(join(root, 'src', 'runtime'), '.ts'), outdir });
  return join(outdir, 'main.js');
}

function makeBentos() {
  const dir = mkdtempSync(join(tmpdir(), 'bentoctl-bench-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const mlp = join(dir, 'mlp');
  mkdirSync(join(mlp, 'models'), { recursive: true });
  writeFileSync(
    join(mlp, 'models', 'mlp.onnx'),
    mlpModel({ name: 'mlp', layers: [256, 1024, 1024, 10], seed: 7 }),
  );
  writeFileSync(
    join(mlp, 'bento.yaml'),
    'service: mlp\nmodels:\n  - name: mlp\n    path: models/mlp.onnx\napis:\n  - name: predict\n    model: mlp\n',
  );
  const iris = join(dir, 'iris');
  cpSync(join(root, 'examples', 'iris'), iris, { recursive: true });
  return [
    {
      name: 'mlp 256-1024-1024-10',
      dir: mlp,
      file: join(mlp, 'models', 'mlp.onnx'),
      api: 'predict',
      input: 'input',
      width: 256,
    },
    {
      name: 'iris 4-4-3',
      dir: iris,
      file: join(iris, 'models', 'iris.onnx'),
      api: 'classify',
      input: 'input',
      width: 4,
    },
  ];
}

/** (a): session.run back to back for SECONDS, at `rows` rows per call. */
async function rawOrt(model, rows, intraOpThreads) {
  const session = await ort.InferenceSession.create(model.file, {
    intraOpNumThreads: intraOpThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const data = Float32Array.from({ length: rows * model.width }, (_, i) => (i % 7) / 7);
  const feeds = { [model.input]: new ort.Tensor('float32', data, [rows, model.width]) };
  for (let i = 0; i < 50; i += 1) await session.run(feeds);
  const times = [];
  const end = performance.now() + SECONDS * 1000;
  while (performance.now() < end) {
    const started = performance.now();
    await session.run(feeds);
    times.push(performance.now() - started);
  }
  await session.release();
  const total = times.reduce((a, b) => a + b, 0);
  return {
    rowsPerSec: (times.length * rows * 1000) / total,
    p50: median(times),
    p99: percentile(times, 0.99),
  };
}

function percentile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Starts the runtime; resolves when /readyz answers 200, with the time that took. */
async function startRuntime(main, model, env) {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const started = performance.now();
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      BENTOCTL_BENTO_DIR: model.dir,
      BENTOCTL_HOST: '127.0.0.1',
      PORT: String(port),
      BENTOCTL_LOG_LEVEL: 'error',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const status = await fetch(`${url}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const readyMs = performance.now() - started;
  const stop = () =>
    new Promise((done) => {
      child.once('exit', done);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
    });
  return { url, readyMs, stop };
}

function load(url, model, options = {}) {
  const row = Array.from({ length: model.width }, (_, i) => (i % 7) / 7);
  return autocannon({
    url: `${url}/${model.api}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ [model.input]: [row] }),
    connections: CONNECTIONS,
    duration: options.seconds ?? SECONDS,
    ...(options.rate ? { overallRate: options.rate } : {}),
  });
}

/**
 * Open-loop load at a fixed rate: requests leave on schedule whatever the answers do, and
 * latency counts from the scheduled time (autocannon's own rate limit sends bursts, which
 * measures the generator rather than the server). undici's pool costs the generator a
 * fraction of what node:http's client does, so less of the two cores goes to it; the first
 * second (new connections, JIT on both sides) is sent but not recorded. With node:http and no
 * warm-up, the reference server's own p99 at 4000 req/s was 33-330 ms; with this, 18-20 ms.
 */
async function openLoop(url, model, rate, seconds = SECONDS) {
  const row = Array.from({ length: model.width }, (_, i) => (i % 7) / 7);
  const body = JSON.stringify({ [model.input]: [row] });
  const pool = new Pool(url, { connections: CONNECTIONS, pipelining: 1 });
  const phase = (phaseSeconds) => {
    const total = Math.max(1, Math.round(rate * phaseSeconds));
    const latencies = [];
    let refused = 0;
    let maxLagMs = 0;
    const start = performance.now();
    return new Promise((done) => {
      let sent = 0;
      let finished = 0;
      const settle = () => {
        finished += 1;
        if (finished === total) done({ latencies, refused, maxLagMs });
      };
      const fire = (index) => {
        const scheduled = start + (index * 1000) / rate;
        maxLagMs = Math.max(maxLagMs, performance.now() - scheduled);
        pool
          .request({
            path: `/${model.api}`,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          })
          .then(
            async (res) => {
              await res.body.dump();
              if (res.statusCode === 200) latencies.push(performance.now() - scheduled);
              else refused += 1;
              settle();
            },
            () => {
              refused += 1;
              settle();
            },
          );
      };
      const tick = () => {
        const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
        while (sent < due) fire(sent++);
        if (sent < total) setTimeout(tick, 1);
      };
      tick();
    });
  };
  try {
    await phase(1);
    const { latencies, refused, maxLagMs } = await phase(seconds);
    return {
      p50: round(percentile(latencies, 0.5), 2),
      p99: round(percentile(latencies, 0.99), 2),
      refused,
      maxLagMs: round(maxLagMs, 1),
    };
  } finally {
    await pool.close();
  }
}

/**
 * A minimal node HTTP server (parse the JSON body, answer a constant), loaded the same way:
 * the ceiling of HTTP + JSON on this box, and the latency floor of the load generator.
 */
async function httpReference(model, halfRate) {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const code = `require('node:http').createServer((q, s) => { let b = ''; q.on('data', (c) => (b += c)); q.on('end', () => { JSON.parse(b); s.writeHead(200, { 'content-type': 'application/json' }); s.end('{"output":[[0.1,0.2]]}'); }); }).listen(${port}, '127.0.0.1');`;
  const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  try {
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 200; i += 1) {
      const status = await fetch(url, { method: 'POST', body: '{}' }).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const reference = { ...model, api: '' };
    const peak = await load(url, reference);
    const floor = await openLoop(url, reference, halfRate);
    return { ceiling: peak['2xx'] / peak.duration, floorP50: floor.p50, floorP99: floor.p99 };
  } finally {
    child.kill('SIGKILL');
  }
}

async function runtimeFigures(main, model, env) {
  const server = await startRuntime(main, model, env);
  try {
    await load(server.url, model, { seconds: 2 }); // JIT and cost-model warm-up
    const runs = [];
    for (let run = 0; run < RUNS; run += 1) {
      const result = await load(server.url, model);
      runs.push({
        rowsPerSec: result['2xx'] / result.duration,
        p50: result.latency.p50,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors,
      });
    }
    return {
      readyMs: server.readyMs,
      rowsPerSec: median(runs.map((r) => r.rowsPerSec)),
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      refused: runs.reduce((sum, r) => sum + r.non2xx + r.errors, 0),
      server,
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function main() {
  const bundle = await bundleRuntime();
  const models = makeBentos();
  const workers = Number(process.env.BENTOCTL_WORKERS ?? 1);
  const threads = Number(process.env.BENTOCTL_INFERENCE_THREADS ?? 1);
  // The runtime's own default (src/runtime/settings.ts autoIntraOpThreads), so (a) and (b) compare alike.
  const intra =
    Number(process.env.BENTOCTL_INTRA_OP_THREADS ?? 0) ||
    Math.max(1, Math.floor((availableParallelism() - workers) / (workers * threads)));
  console.log(
    `# bench:runtime  cores=${availableParallelism()} node=${process.version} workers=${workers} inference_threads=${threads} intra_op_threads=${intra} max_batch_size=${MAX_BATCH} max_latency_ms=${MAX_LATENCY_MS} seconds=${SECONDS} runs=${RUNS}`,
  );
  const rows = [];
  for (const model of models) {
    const a1 = await rawOrt(model, 1, intra);
    const aN = await rawOrt(model, MAX_BATCH, intra);
    const b = await runtimeFigures(bundle, model, {});
    // p99 at half the peak rate, on the same server.
    const half = await openLoop(b.server.url, model, Math.max(1, Math.round(b.rowsPerSec / 2)));
    await b.server.stop();
    const c = await runtimeFigures(bundle, model, { BENTOCTL_BATCHING: 'false' });
    await c.server.stop();
    const starts = [b.readyMs, c.readyMs];
    for (let run = 2; run < 3; run += 1) {
      const server = await startRuntime(bundle, model, {});
      starts.push(server.readyMs);
      await server.stop();
    }
    const reference = await httpReference(model, Math.max(1, Math.round(b.rowsPerSec / 2)));
    const budget = MAX_LATENCY_MS + 2 * aN.p50;
    rows.push({
      model: model.name,
      a1: round(a1.rowsPerSec, 0),
      a1ms: `${round(a1.p50, 3)}/${round(a1.p99, 3)}`,
      aN: round(aN.rowsPerSec, 0),
      aNms: `${round(aN.p50, 3)}/${round(aN.p99, 3)}`,
      b: round(b.rowsPerSec, 0),
      bP50: b.p50,
      bP99: b.p99,
      bRefused: b.refused,
      c: round(c.rowsPerSec, 0),
      cP50: c.p50,
      cP99: c.p99,
      halfP99: half.p99,
      halfP50: half.p50,
      halfRefused: half.refused,
      ceiling: round(reference.ceiling, 0),
      floor: `${reference.floorP50}/${reference.floorP99}`,
      halfRate: Math.round(b.rowsPerSec / 2),
      budget: round(budget, 2),
      bOverA: round(b.rowsPerSec / aN.rowsPerSec, 2),
      bOverC: round(b.rowsPerSec / c.rowsPerSec, 2),
      readyMs: round(median(starts), 0),
      // What this box allows at best: b cannot beat a server that does no inference (the
      // reference) nor raw batched inference, and c cannot beat raw batch-1 inference.
      bestBOverA: round(Math.min(reference.ceiling, aN.rowsPerSec) / aN.rowsPerSec, 2),
      bestBOverC: round(
        Math.min(reference.ceiling, aN.rowsPerSec) / Math.min(c.rowsPerSec, a1.rowsPerSec),
        2,
      ),
      floorP99: reference.floorP99,
    });
    console.error(`done: ${model.name}`);
  }
  console.log('');
  console.log(
    '| model | (a) raw batch 1 rows/s (p50/p99 ms per call) | (a) raw batch ' +
      MAX_BATCH +
      ' rows/s (p50/p99 ms per call) | (b) batching rows/s (p50/p99 ms) | (c) no batching rows/s (p50/p99 ms) | b/a | b/c | half of peak: rate, p50/p99 ms vs budget ms | reference server: peak req/s, p50/p99 ms at the same half rate | start to /readyz |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.model} | ${r.a1} (${r.a1ms}) | ${r.aN} (${r.aNms}) | ${r.b} (${r.bP50}/${r.bP99})${r.bRefused ? `, ${r.bRefused} refused` : ''} | ${r.c} (${r.cP50}/${r.cP99}) | ${r.bOverA} | ${r.bOverC} | ${r.halfRate}/s: ${r.halfP50}/${r.halfP99} vs ${r.budget}${r.halfRefused ? `, ${r.halfRefused} refused` : ''} | ${r.ceiling}, ${r.floor} | ${r.readyMs} ms |`,
    );
  }
  console.log('');
  for (const r of rows) {
    const verdict = (ok) => (ok ? 'met' : 'missed');
    console.log(
      `${r.model}: b/a ${r.bOverA} (goal 0.85, ${verdict(r.bOverA >= 0.85)}; at most ${r.bestBOverA} here, the no-inference reference peaking at ${r.ceiling} req/s) | b/c ${r.bOverC} (goal 10, ${verdict(r.bOverC >= 10)}; at most ${r.bestBOverC} here) | p99 at half load ${r.halfP99} ms vs budget ${r.budget} ms (${verdict(r.halfP99 <= r.budget)}; the reference server's own p99 at that rate: ${r.floorP99} ms)`,
    );
  }
}

await main();
