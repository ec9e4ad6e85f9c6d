#!/usr/bin/env node
/* global performance, setTimeout */
/**
 * `npm run bench:runtime`: the runtime on ONE pinned core, the way a 1-vCPU container
 * (Fargate `cpu: 1024`) runs it, against what that core can do at best. Not a test: it prints
 * figures. On 127.0.0.1 only, bounded in time (about 4 minutes with the defaults).
 *
 * Every server runs under `taskset -c $BENCH_SERVER_CPU` (default 1); the load generator, wrk
 * (64 connections, closed loop, 1-row POST bodies from a small Lua script), under `taskset -c
 * $BENCH_CLIENT_CPU` (default 0), and so does this script (it re-executes itself pinned).
 *
 *   (a) raw onnxruntime-node on the server core, batch 1 and batch max_batch_size
 *   (b) the HTTP ceiling: node:http that parses the same JSON body and answers a constant
 *   (c) a naive server: node:http + one session, session.run per request
 *   the runtime (bundled like the image) with batching on and off, and with batching on at
 *   512 connections; p99 at half of the batching-on peak rate, open loop (the undici
 *   generator below: wrk2 is not packaged), against max_latency_ms + 2 x batch compute.
 *
 * bound = 1 / (1/raw_batch + 1/http_ceiling): one core doing both the HTTP work of the
 * ceiling server and the raw batched inference, nothing else.
 *
 * Models: a 1 M parameter MLP (256-1024-1024-10, fixed weights, generated here) and the iris
 * classifier of examples/iris (4 inputs). Environment: BENCH_SECONDS (per measurement, 5),
 * BENCH_RUNS (runs per figure, median taken, 3), BENCH_SERVER_CPU, BENCH_CLIENT_CPU,
 * BENCH_MODELS (only models whose name contains it: `mlp`, `iris`).
 */
import { spawnSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'undici';
import {
  CLIENT_CPU,
  CONNECTIONS,
  SECONDS,
  SERVER_CPU,
  bundleRuntime,
  machine,
  median,
  pinSelfToClientCpu,
  postJson,
  root,
  round,
  runWrk,
  startPinnedServer,
  startRuntime,
  takePort,
  tempDir,
  writeMlpBento,
  writeWrkPostScript,
} from './lib/bench-kit.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MAX_BATCH = Number(process.env.BENTOCTL_MAX_BATCH_SIZE ?? 32);
const MAX_LATENCY_MS = Number(process.env.BENTOCTL_MAX_LATENCY_MS ?? 10);
const SERVERS = join(root, 'scripts', 'lib', 'bench-servers.js');

pinSelfToClientCpu();
process.env.ORT_DISABLE_TELEMETRY = '1';

function percentile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function makeBentos() {
  const dir = tempDir('bentoctl-bench-');
  const mlp = join(dir, 'mlp');
  const mlpFile = writeMlpBento(mlp, 256);
  const iris = join(dir, 'iris');
  const tmp = dir;
  cpSync(join(root, 'examples', 'iris'), iris, { recursive: true });
  return [
    {
      name: 'mlp 256-1024-1024-10',
      dir: mlp,
      file: mlpFile,
      api: 'predict',
      input: 'input',
      width: 256,
      row: Array.from({ length: 256 }, (_, i) => (i % 7) / 7),
      tmp,
    },
    {
      name: 'small: iris 4-4-3',
      dir: iris,
      file: join(iris, 'models', 'iris.onnx'),
      api: 'classify',
      input: 'input',
      width: 4,
      row: [5.1, 3.5, 1.4, 0.2],
      tmp,
    },
  ];
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
        postJson(pool, `/${model.api}`, body).then((status) => {
          if (status === 200) latencies.push(performance.now() - scheduled);
          else refused += 1;
          settle();
        });
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

function startComparison(kind, model) {
  const port = takePort();
  const body = JSON.stringify({ [model.input]: [model.row] });
  return startPinnedServer(
    [SERVERS, kind, String(port), model.file, model.input],
    {},
    `http://127.0.0.1:${port}`,
    { path: '/', init: { method: 'POST', body } },
  );
}

/** (a): raw session.run on the server core, in a process of its own. */
function rawOrt(model, rows) {
  const result = spawnSync(
    'taskset',
    [
      '-c',
      SERVER_CPU,
      process.execPath,
      SERVERS,
      'raw',
      String(rows),
      model.file,
      model.input,
      String(model.width),
      String(SECONDS),
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`raw onnxruntime failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** wrk, pinned to the client core, closed loop; returns rows/s (1 row per request) and more. */
function wrk(url, model, options) {
  const script = join(model.tmp, 'post.lua');
  writeWrkPostScript(script, JSON.stringify({ [model.input]: [model.row] }));
  return runWrk(url, script, options);
}

/** Warm-up, then RUNS closed-loop runs: medians of rows/s and latency, refusals summed. */
function closedLoopFigures(url, model, options = {}) {
  wrk(url, model, { seconds: 2, connections: options.connections });
  const runs = Array.from({ length: RUNS }, () => wrk(url, model, options));
  return {
    rowsPerSec: median(runs.map((r) => r.rowsPerSec)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    refused: runs.reduce((sum, r) => sum + r.refused, 0),
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
  };
}

async function measureModel(bundle, model) {
  const a1 = rawOrt(model, 1);
  const aN = rawOrt(model, MAX_BATCH);
  const ceilingServer = await startComparison('ceiling', model);
  const ceiling = closedLoopFigures(ceilingServer.url, model);
  await ceilingServer.stop();
  const naiveServer = await startComparison('naive', model);
  const naive = closedLoopFigures(`${naiveServer.url}/`, model);
  await naiveServer.stop();
  const on = await startRuntime(bundle, model.dir, {});
  const batching = closedLoopFigures(`${on.url}/${model.api}`, model);
  const at512 = closedLoopFigures(`${on.url}/${model.api}`, model, { connections: 512 });
  const halfRate = Math.max(1, Math.round(batching.rowsPerSec / 2));
  const half = await openLoop(on.url, model, halfRate);
  await on.stop();
  const off = await startRuntime(bundle, model.dir, { BENTOCTL_BATCHING: 'false' });
  const unbatched = closedLoopFigures(`${off.url}/${model.api}`, model);
  await off.stop();
  const bound = 1 / (1 / aN.rowsPerSec + 1 / ceiling.rowsPerSec);
  return {
    model: model.name,
    a1,
    aN,
    ceiling,
    naive,
    batching,
    at512,
    unbatched,
    half,
    halfRate,
    bound,
    budget: MAX_LATENCY_MS + 2 * aN.p50,
    readyMs: on.readyMs,
  };
}

async function main() {
  const bundle = await bundleRuntime('bentoctl-bench-');
  const only = process.env.BENCH_MODELS;
  const models = makeBentos().filter((model) => only === undefined || model.name.includes(only));
  const host = machine();
  console.log(
    `# bench:runtime  ${host.cpu}, server on cpu ${SERVER_CPU}, wrk and this script on cpu ${CLIENT_CPU}; node ${process.version}; max_batch_size=${MAX_BATCH} max_latency_ms=${MAX_LATENCY_MS} seconds=${SECONDS} runs=${RUNS}; load average ${host.load}`,
  );
  const results = [];
  for (const model of models) {
    results.push(await measureModel(bundle, model));
    console.error(`done: ${model.name}`);
  }
  const f = (r) => `${Math.round(r.rowsPerSec)} (${round(r.p50, 2)}/${round(r.p99, 2)})`;
  console.log('');
  console.log(
    `| model | (a) raw batch 1 rows/s | (a) raw batch ${MAX_BATCH} rows/s (ms/call) | (b) HTTP ceiling req/s (p50/p99 ms) | (c) naive server rows/s (p50/p99 ms) | bound rows/s | batching on rows/s (p50/p99 ms) | batching off rows/s (p50/p99 ms) | on, 512 connections rows/s | refused at 64 (of requests) | half of peak, open loop: p50/p99 ms vs budget |`,
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.model} | ${Math.round(r.a1.rowsPerSec)} | ${Math.round(r.aN.rowsPerSec)} (${round(r.aN.p50, 3)}) | ${f(r.ceiling)} | ${f(r.naive)} | ${Math.round(r.bound)} | ${f(r.batching)} | ${f(r.unbatched)} | ${Math.round(r.at512.rowsPerSec)}, ${r.at512.refused} refused | ${r.batching.refused} (of ${r.batching.requests}) | ${r.halfRate}/s: ${r.half.p50}/${r.half.p99} vs ${round(r.budget, 2)}${r.half.refused ? `, ${r.half.refused} refused` : ''} |`,
    );
  }
  console.log('');
  for (const r of results) {
    const mlp = r.model.startsWith('mlp');
    const verdict = (ok) => (ok ? 'met' : 'missed');
    const onBound = r.batching.rowsPerSec / r.bound;
    const offNaive = r.unbatched.rowsPerSec / r.naive.rowsPerSec;
    const onNaive = r.batching.rowsPerSec / r.naive.rowsPerSec;
    const goodput512 = r.at512.rowsPerSec / r.batching.rowsPerSec;
    console.log(
      [
        `${r.model}:`,
        `on/bound ${round(onBound, 2)} (goal ${mlp ? 0.9 : 0.75}, ${verdict(onBound >= (mlp ? 0.9 : 0.75))})`,
        `off/naive ${round(offNaive, 2)} (goal 1.0, ${verdict(offNaive >= 1)})`,
        `on/naive ${round(onNaive, 2)}${mlp ? ` (goal 6, ${verdict(onNaive >= 6)})` : ''}`,
        `refused at 64: ${r.batching.refused} (goal 0, ${verdict(r.batching.refused === 0)})`,
        `goodput 512/64 ${round(goodput512, 2)} (goal 0.8, ${verdict(goodput512 >= 0.8)})`,
        `p99 at half peak ${r.half.p99} ms vs ${round(r.budget, 2)} (${verdict(r.half.p99 <= r.budget)})`,
      ].join(' | '),
    );
  }
}

await main();
