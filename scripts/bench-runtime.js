#!/usr/bin/env node
/**
 * `npm run bench:runtime`: the runtime on ONE pinned core, the way a 1-vCPU container
 * (Fargate `cpu: 1024`) runs it, against what that core can do at best. Not a test: it prints
 * figures. On 127.0.0.1 only, bounded in time (about 7 minutes with the defaults).
 *
 * Every server runs under `taskset -c $BENCH_SERVER_CPU` (default 1); the load generator, wrk
 * (64 connections, closed loop, 1-row POST bodies from a small Lua script), under `taskset -c
 * $BENCH_CLIENT_CPU` (default 0), and so does this script (it re-executes itself pinned).
 *
 *   (a) raw onnxruntime-node on the server core, batch 1 and batch max_batch_size
 *   (b) the HTTP ceiling: node:http that parses the same JSON body and answers a constant
 *   (c) a naive server: node:http + one session, session.run per request
 *   the runtime (bundled like the image) with batching on and off, and with batching on at
 *   512 connections, where it places batches by default on one core (the HTTP thread for these
 *   models); batching on and off again on the inference threads (BENTOCTL_INLINE_INFERENCE=off)
 *   for comparison; p99 at half of the batching-on peak rate, open loop
 *   (scripts/lib/open-loop.js, its own process on the client core: wrk2 is not packaged),
 *   against max_latency_ms + 2 x raw batch compute of this run, with the same generator
 *   against (b) at that rate as the floor, and the generator's own lateness: a figure it
 *   could not keep to its schedule for is not printed.
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
import { get } from 'node:http';
import { join } from 'node:path';
import {
  CLIENT_CPU,
  SECONDS,
  SERVER_CPU,
  bundleRuntime,
  machine,
  median,
  pinSelfToClientCpu,
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
 * Connections of the open-loop generator: enough that a request due while the server is slow
 * rarely waits for a free one (at half of peak, rate x p99 is well under this), so the figure
 * is the server's latency, not the client's connection limit.
 */
const OPEN_LOOP_CONNECTIONS = 256;

/**
 * Open-loop load (scripts/lib/open-loop.js) at `rate` requests/s of 1-row bodies for `path` on
 * `url`, in a process of its own pinned to the client core. A larger young generation for the
 * generator: with V8's default, its scavenges (2-8 ms each, about 10 a second at this rate)
 * showed as server latency (the no-inference server's p99 at 5000/s: 33-100 ms with the
 * default, 6 ms with this, on a quiet box). `lagLimitMs`: the generator's own send lag p99
 * beyond which a p99 over the bound may be the generator's (see open-loop.js).
 */
function openLoop(url, path, model, rate, lagLimitMs) {
  const options = {
    url,
    path,
    body: JSON.stringify({ [model.input]: [model.row] }),
    rate,
    seconds: SECONDS,
    warmupSeconds: 1,
    connections: OPEN_LOOP_CONNECTIONS,
    lagLimitMs,
  };
  const result = spawnSync(
    'taskset',
    [
      '-c',
      CLIENT_CPU,
      process.execPath,
      '--max-semi-space-size=64',
      join(root, 'scripts', 'lib', 'open-loop.js'),
      JSON.stringify(options),
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`the open-loop generator failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** GET `url` on a connection of its own (no keep-alive race with the server's idle timeout). */
function getText(url) {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve(text));
      response.on('error', reject);
    }).on('error', reject);
  });
}

/** Where the runtime at `url` runs its batches (bentoctl_inference_placement). */
async function placementOf(url) {
  const text = await getText(`${url}/metrics`);
  return /bentoctl_inference_placement\{placement="([^"]+)"\} 1/.exec(text)?.[1] ?? 'unknown';
}

/** The batcher's counters from /metrics: batches, rows and seconds inside onnxruntime. */
async function batchCounters(url) {
  const text = await getText(`${url}/metrics`);
  const sum = (name) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(name))
      .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  return {
    batches: sum('bentoctl_batch_size_rows_count'),
    rows: sum('bentoctl_batch_size_rows_sum'),
    seconds: sum('bentoctl_inference_duration_seconds_sum'),
  };
}

/** Mean rows per batch and ms inside onnxruntime per batch between two batchCounters. */
function batchesBetween(before, after) {
  const batches = Math.max(1, after.batches - before.batches);
  return {
    rows: (after.rows - before.rows) / batches,
    computeMs: ((after.seconds - before.seconds) * 1000) / batches,
  };
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

/**
 * Warm-up, then RUNS closed-loop runs: medians of rows/s and latency, refusals summed, and
 * (given the `server`) the CPU its HTTP thread and the whole process spent per request over
 * the runs: the per-request cost issue 13 names as the lever, and the figure least moved by
 * other load on the machine (docs/benchmarks.md).
 */
function closedLoopFigures(url, model, options = {}, server = undefined) {
  wrk(url, model, { seconds: 2, connections: options.connections });
  const before = server?.cpuMs();
  const runs = Array.from({ length: RUNS }, () => wrk(url, model, options));
  const after = server?.cpuMs();
  const requests = runs.reduce((sum, r) => sum + r.requests, 0);
  const perRequestUs = (key) =>
    before === undefined ? NaN : ((after[key] - before[key]) * 1000) / Math.max(1, requests);
  return {
    httpThreadUs: perRequestUs('main'),
    processUs: perRequestUs('total'),
    rowsPerSec: median(runs.map((r) => r.rowsPerSec)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    refused: runs.reduce((sum, r) => sum + r.refused, 0),
    requests,
  };
}

/** The runtime started with `env`, its closed-loop figures at 64 connections, stopped. */
async function runtimeClosedLoop(bundle, model, env) {
  const server = await startRuntime(bundle, model.dir, env);
  const figures = closedLoopFigures(`${server.url}/${model.api}`, model, {}, server);
  await server.stop();
  return figures;
}

async function measureModel(bundle, model) {
  const a1 = rawOrt(model, 1);
  const aN = rawOrt(model, MAX_BATCH);
  // The latency bound of issue 13: the budget plus two full batches of raw compute (this run's).
  const budget = MAX_LATENCY_MS + 2 * aN.p50;
  const ceilingServer = await startComparison('ceiling', model);
  const ceiling = closedLoopFigures(ceilingServer.url, model, {}, ceilingServer);
  await ceilingServer.stop();
  const naiveServer = await startComparison('naive', model);
  const naive = closedLoopFigures(`${naiveServer.url}/`, model);
  await naiveServer.stop();
  const on = await startRuntime(bundle, model.dir, {});
  const apiUrl = `${on.url}/${model.api}`;
  const placement = await placementOf(on.url);
  const beforeClosed = await batchCounters(on.url);
  const batching = closedLoopFigures(apiUrl, model, {}, on);
  const batches64 = batchesBetween(beforeClosed, await batchCounters(on.url));
  const at512 = closedLoopFigures(apiUrl, model, { connections: 512 });
  const halfRate = Math.max(1, Math.round(batching.rowsPerSec / 2));
  // The generator may lag its schedule by its timer tick (1 ms) and a scavenge; a quarter of
  // the bound is where its lateness would start to decide the verdict.
  const lagLimitMs = budget / 4;
  const beforeHalf = await batchCounters(on.url);
  const half = openLoop(on.url, `/${model.api}`, model, halfRate, lagLimitMs);
  const batchesHalf = batchesBetween(beforeHalf, await batchCounters(on.url));
  await on.stop();
  const unbatched = await runtimeClosedLoop(bundle, model, { BENTOCTL_BATCHING: 'false' });
  // The same two on the inference threads (BENTOCTL_INLINE_INFERENCE=off): what the placement
  // the runtime picked on this one core is worth (docs/runtime.md, "Where inference runs").
  const onThreads = await runtimeClosedLoop(bundle, model, { BENTOCTL_INLINE_INFERENCE: 'off' });
  const offThreads = await runtimeClosedLoop(bundle, model, {
    BENTOCTL_BATCHING: 'false',
    BENTOCTL_INLINE_INFERENCE: 'off',
  });
  // The same generator at the same rate against the no-inference server: what the generator
  // and the machine add to any server's latency here (the floor under the runtime's figure).
  const floorServer = await startComparison('ceiling', model);
  const floor = openLoop(floorServer.url, '/', model, halfRate, lagLimitMs);
  await floorServer.stop();
  const bound = 1 / (1 / aN.rowsPerSec + 1 / ceiling.rowsPerSec);
  // The same bound in CPU time (1-row requests): what the ceiling's thread and raw batched
  // inference spend per row, against what the whole runtime process spends. Unlike rows/s
  // measured minutes apart, it hardly moves with other load on the machine.
  const cpuBoundUs = ceiling.httpThreadUs + aN.cpuUsPerRow;
  return {
    model: model.name,
    a1,
    aN,
    ceiling,
    naive,
    batching,
    batches64,
    at512,
    unbatched,
    onThreads,
    offThreads,
    placement,
    half,
    batchesHalf,
    floor,
    halfRate,
    bound,
    cpuBoundUs,
    budget,
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
  const ms = (value) => (Number.isFinite(value) ? round(value, 2) : '-');
  console.log('');
  console.log(
    `| model | (a) raw batch 1 rows/s | (a) raw batch ${MAX_BATCH} rows/s (ms/call) | (b) HTTP ceiling req/s (p50/p99 ms) | (c) naive server rows/s (p50/p99 ms) | bound rows/s | batching on rows/s (p50/p99 ms) | batches at 64 connections: rows, ms each | batching off rows/s (p50/p99 ms) | on, 512 connections rows/s | refused at 64 (of requests) |`,
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.model} | ${Math.round(r.a1.rowsPerSec)} | ${Math.round(r.aN.rowsPerSec)} (${round(r.aN.p50, 3)}) | ${f(r.ceiling)} | ${f(r.naive)} | ${Math.round(r.bound)} | ${f(r.batching)} | ${round(r.batches64.rows)}, ${round(r.batches64.computeMs, 3)} | ${f(r.unbatched)} | ${Math.round(r.at512.rowsPerSec)}, ${r.at512.refused} refused | ${r.batching.refused} (of ${r.batching.requests}) |`,
    );
  }
  console.log('');
  console.log(
    'CPU per request at 64 connections (from /proc, over the measured runs): the HTTP thread, and the whole server process (inference and parse threads included):',
  );
  console.log('');
  console.log(
    `| model | (b) HTTP ceiling: us/request | (a) raw batch ${MAX_BATCH}: CPU us/row | bound: us/row | batching on: HTTP thread us/request | batching on: process us/request | on ÷ bound in CPU time | batching off: HTTP thread us/request | batching off: process us/request |`,
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.model} | ${ms(r.ceiling.httpThreadUs)} | ${ms(r.aN.cpuUsPerRow)} | ${ms(r.cpuBoundUs)} | ${ms(r.batching.httpThreadUs)} | ${ms(r.batching.processUs)} | ${ms(r.cpuBoundUs / r.batching.processUs)} | ${ms(r.unbatched.httpThreadUs)} | ${ms(r.unbatched.processUs)} |`,
    );
  }
  console.log('');
  console.log(
    'Where batches run: the default picked by the runtime on this one core, against the inference threads (BENTOCTL_INLINE_INFERENCE=off), 64 connections:',
  );
  console.log('');
  console.log(
    '| model | default placement | batching on: default rows/s (process us/request) | on: inference threads | on: default ÷ threads | batching off: default | off: inference threads | off: default ÷ threads |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  const cell = (r) => `${Math.round(r.rowsPerSec)} (${ms(r.processUs)})`;
  for (const r of results) {
    console.log(
      `| ${r.model} | ${r.placement} | ${cell(r.batching)} | ${cell(r.onThreads)} | ${ms(r.batching.rowsPerSec / r.onThreads.rowsPerSec)} | ${cell(r.unbatched)} | ${cell(r.offThreads)} | ${ms(r.unbatched.rowsPerSec / r.offThreads.rowsPerSec)} |`,
    );
  }
  console.log('');
  console.log(
    `Open loop at half of the batching-on peak (${OPEN_LOOP_CONNECTIONS} connections, latency from the scheduled send time; bound = max_latency_ms + 2 x raw batch-${MAX_BATCH} compute):`,
  );
  console.log('');
  console.log(
    '| model | scheduled req/s | sent req/s | answered req/s | generator send lag p99 ms (limit) | generator CPU | runtime p50/p99/p99.9 ms | refused | batches: rows, ms each | bound ms | p99 / bound | same generator vs (b): p50/p99 ms |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  const latencyCell = (h) =>
    h.heldRate ? `${ms(h.p50)}/${ms(h.p99)}/${ms(h.p999)}` : 'not reported: rate not held';
  for (const r of results) {
    const h = r.half;
    console.log(
      `| ${r.model} | ${r.halfRate} | ${Math.round(h.sentRate)} | ${Math.round(h.answeredRate)} | ${ms(h.sendLagP99)} (${ms(r.budget / 4)}) | ${Math.round(h.cpuShare * 100)} % | ${latencyCell(h)} | ${h.refused + h.failed} | ${round(r.batchesHalf.rows)}, ${round(r.batchesHalf.computeMs, 3)} | ${ms(r.budget)} | ${h.heldRate ? ms(h.p99 / r.budget) : '-'} | ${r.floor.heldRate ? `${ms(r.floor.p50)}/${ms(r.floor.p99)}` : 'rate not held'} |`,
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
    const h = r.half;
    const overBound = h.p99 > r.budget;
    const tail = !h.heldRate
      ? `p99 at half peak: not measured (the generator sent ${Math.round(h.sentRate)} of ${r.halfRate} req/s)`
      : `p99 at half peak ${ms(h.p99)} ms / bound ${ms(r.budget)} ms = ${ms(h.p99 / r.budget)} (goal <= 1, ${
          !overBound
            ? 'met'
            : h.punctual
              ? 'missed'
              : `inconclusive: the generator's own send lag p99 was ${ms(h.sendLagP99)} ms`
        })`;
    console.log(
      [
        `${r.model}:`,
        `on/bound ${round(onBound, 2)} (goal ${mlp ? 0.9 : 0.75}, ${verdict(onBound >= (mlp ? 0.9 : 0.75))}; in CPU time ${ms(r.cpuBoundUs / r.batching.processUs)})`,
        `off/naive ${round(offNaive, 2)} (goal 1.0, ${verdict(offNaive >= 1)})`,
        `on/naive ${round(onNaive, 2)}${mlp ? ` (goal 6, ${verdict(onNaive >= 6)})` : ''}`,
        `refused at 64: ${r.batching.refused} (goal 0, ${verdict(r.batching.refused === 0)})`,
        `goodput 512/64 ${round(goodput512, 2)} (goal 0.8, ${verdict(goodput512 >= 0.8)})`,
        tail,
      ].join(' | '),
    );
  }
  console.log(`load average at the end: ${machine().load}`);
}

await main();
