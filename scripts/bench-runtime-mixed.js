#!/usr/bin/env node
/* global performance, fetch, setTimeout, Buffer */
/**
 * `npm run bench:runtime-mixed`: issue 13, reliability point 3. One client sends 900-row MLP
 * requests (3.7 MB of JSON each) back to back while wrk sends 1-row requests on 64
 * connections; how much of the small requests' goodput survives, how many are refused, and
 * whether the large requests are answered. Not a test: it prints figures. On 127.0.0.1 only,
 * bounded in time (about 2.5 minutes with the defaults).
 *
 * The runtime (bundled like the image, 1 process, 1 inference thread, 1 intra-op thread) runs
 * under `taskset -c $BENCH_SERVER_CPU` (default 1); wrk and this script, which is the large
 * client (one keep-alive connection, one request at a time), under `taskset -c
 * $BENCH_CLIENT_CPU` (default 0). Each mode, measured RUNS times (5; medians), rounds of
 * the modes alternating:
 *
 *   alone: wrk for BENCH_SECONDS, nothing else
 *   mixed: the large client running, then wrk for BENCH_SECONDS while it goes on
 *
 * in two modes: large bodies parsed on the parse thread (the default,
 * BENTOCTL_PARSE_THREAD_MIN_KB=64) and every body on the HTTP thread (=0, as before).
 * Goal (issue 13): mixed goodput >= 50 % of alone, <= 1 % of small requests refused, every
 * large request answered. The HTTP thread's event-loop delay during the mixed phase comes from
 * the runtime's own `nodejs_eventloop_lag_*` metrics (prom-client resets them per scrape).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Pool } from 'undici';
import { mlpModel } from './lib/onnx-graph.js';
import { runtimeBuildOptions } from './lib/runtime-build-options.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SERVER_CPU = process.env.BENCH_SERVER_CPU ?? '1';
const CLIENT_CPU = process.env.BENCH_CLIENT_CPU ?? '0';
const CONNECTIONS = 64;
const LARGE_ROWS = 900;
const WIDTH = 256;

if (process.env.BENCH_PINNED !== '1') {
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

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};
const round = (value, digits = 1) => Number(value.toFixed(digits));

async function bundleRuntime() {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const outdir = mkdtempSync(join(cache, 'bentoctl-bench-mixed-'));
  process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
  await build({ ...runtimeBuildOptions(join(root, 'src', 'runtime'), '.ts'), outdir });
  return join(outdir, 'main.js');
}

function makeBento() {
  const dir = mkdtempSync(join(tmpdir(), 'bentoctl-bench-mixed-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'models'));
  writeFileSync(
    join(dir, 'models', 'mlp.onnx'),
    mlpModel({ name: 'mlp', layers: [WIDTH, 1024, 1024, 10], seed: 7 }),
  );
  writeFileSync(
    join(dir, 'bento.yaml'),
    'service: mlp\nmodels:\n  - name: mlp\n    path: models/mlp.onnx\napis:\n  - name: predict\n    model: mlp\n',
  );
  const small = JSON.stringify({ input: [Array.from({ length: WIDTH }, (_, i) => (i % 7) / 7)] });
  // Values of 13 decimals (15-16 characters with the separator): 900 rows x 256 come to about
  // 3.7 MB, under the default 4 MB body limit.
  const value = (k) => Number(Math.abs(Math.sin(k + 1)).toFixed(13));
  const large = JSON.stringify({
    input: Array.from({ length: LARGE_ROWS }, (_, row) =>
      Array.from({ length: WIDTH }, (_, i) => value(row * WIDTH + i)),
    ),
  });
  const script = join(dir, 'post.lua');
  writeFileSync(
    script,
    `wrk.method = "POST"\nwrk.body = ${JSON.stringify(small)}\nwrk.headers["Content-Type"] = "application/json"\n`,
  );
  return { dir, script, large: Buffer.from(large) };
}

let nextPort = 20000 + Math.floor(Math.random() * 5000);

async function startRuntime(main, bentoDir, env) {
  const port = nextPort++;
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('taskset', ['-c', SERVER_CPU, process.execPath, main], {
    env: {
      ...process.env,
      BENTOCTL_BENTO_DIR: bentoDir,
      BENTOCTL_HOST: '127.0.0.1',
      PORT: String(port),
      BENTOCTL_LOG_LEVEL: 'error',
      BENTOCTL_INTRA_OP_THREADS: '1',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  while (
    (await fetch(`${url}/readyz`).then(
      (r) => r.status,
      () => 0,
    )) !== 200
  ) {
    if (Date.now() > deadline) throw new Error('the runtime did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  const stop = () =>
    new Promise((done) => {
      if (child.exitCode !== null) return done();
      child.once('exit', done);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
    });
  return { url, stop };
}

/** wrk, pinned to the client core: small requests answered per second, refused, latency. */
function wrk(url, script, seconds) {
  const result = spawnSync(
    'taskset',
    [
      '-c',
      CLIENT_CPU,
      'wrk',
      '-t1',
      `-c${CONNECTIONS}`,
      `-d${seconds}s`,
      '--latency',
      '-s',
      script,
      `${url}/predict`,
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`wrk failed: ${result.stderr}`);
  const out = result.stdout;
  const number = (pattern) => Number(pattern.exec(out)?.[1] ?? 0);
  const ms = (text) => {
    const match = /([\d.]+)(us|ms|s)/.exec(text ?? '');
    if (!match) return NaN;
    const value = Number(match[1]);
    return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
  };
  const total = number(/(\d+) requests in/);
  const non2xx = number(/Non-2xx or 3xx responses: (\d+)/);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  const elapsed = ms(/requests in ([\d.]+(?:us|ms|s))/.exec(out)?.[1]);
  return {
    goodput: ((total - non2xx) * 1000) / elapsed,
    requests: total,
    refused: non2xx + errors,
    p50: ms(/ 50%\s+(\S+)/.exec(out)?.[1]),
    p99: ms(/ 99%\s+(\S+)/.exec(out)?.[1]),
  };
}

/** The large client: 900-row requests back to back on one connection until stopped. */
function largeClient(url, body) {
  const pool = new Pool(url, { connections: 1, pipelining: 1 });
  const latencies = [];
  const statuses = new Map();
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const started = performance.now();
      const status = await pool
        .request({
          path: '/predict',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        })
        .then(
          async (response) => {
            await response.body.dump();
            return response.statusCode;
          },
          () => 0,
        );
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status === 200) latencies.push(performance.now() - started);
    }
    await pool.close();
  })();
  return {
    stop: async () => {
      stopped = true;
      await done;
      const sent = [...statuses.values()].reduce((a, b) => a + b, 0);
      return { sent, answered: statuses.get(200) ?? 0, statuses, p50: median(latencies) ?? NaN };
    },
  };
}

/** The HTTP thread's event-loop delay since the last scrape (prom-client resets it). */
async function eventLoopLag(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) * 1000;
  return {
    p99: value('nodejs_eventloop_lag_p99_seconds'),
    max: value('nodejs_eventloop_lag_max_seconds'),
  };
}

/**
 * What parsing one large body would cost the thread that does it: JSON.parse of the body, on
 * the server core, in a process of its own (median of 5; the input checks come on top).
 */
function parseCostMs(bento) {
  const file = join(bento.dir, 'large.json');
  writeFileSync(file, bento.large);
  const code = `const t=require('fs').readFileSync(${JSON.stringify(file)},'utf8');const m=[];for(let i=0;i<6;i++){const s=performance.now();JSON.parse(t);m.push(performance.now()-s)}m.shift();m.sort((a,b)=>a-b);console.log(m[2])`;
  const result = spawnSync('taskset', ['-c', SERVER_CPU, process.execPath, '-e', code], {
    encoding: 'utf8',
  });
  return Number(result.stdout.trim());
}

/** Mean time of one batch inside onnxruntime, from the runtime's own metrics. */
async function batchMs(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name) =>
    Number(new RegExp(`^${name}\\{model="mlp"\\} (\\S+)$`, 'm').exec(text)?.[1]);
  return (
    (value('bentoctl_inference_duration_seconds_sum') /
      value('bentoctl_inference_duration_seconds_count')) *
    1000
  );
}

/** One round of one mode: small requests alone, then with the large client running. */
async function round1(server, bento) {
  const alone = wrk(server.url, bento.script, SECONDS);
  const large = largeClient(server.url, bento.large);
  await new Promise((r) => setTimeout(r, 1000));
  await eventLoopLag(server.url);
  const mixed = wrk(server.url, bento.script, SECONDS);
  const lag = await eventLoopLag(server.url);
  const big = await large.stop();
  return { alone, mixed, lag, big };
}

function summarize(mode, runs, meanBatchMs) {
  return {
    mode: mode.name,
    meanBatchMs,
    alone: median(runs.map((r) => r.alone.goodput)),
    mixed: median(runs.map((r) => r.mixed.goodput)),
    ratio: median(runs.map((r) => r.mixed.goodput / r.alone.goodput)),
    refusedShare: median(runs.map((r) => r.mixed.refused / Math.max(1, r.mixed.requests))),
    refused: runs.reduce((sum, r) => sum + r.mixed.refused, 0),
    requests: runs.reduce((sum, r) => sum + r.mixed.requests, 0),
    mixedP50: median(runs.map((r) => r.mixed.p50)),
    mixedP99: median(runs.map((r) => r.mixed.p99)),
    lagP99: median(runs.map((r) => r.lag.p99)),
    lagMax: median(runs.map((r) => r.lag.max)),
    bigSent: runs.reduce((sum, r) => sum + r.big.sent, 0),
    bigAnswered: runs.reduce((sum, r) => sum + r.big.answered, 0),
    bigP50: median(runs.map((r) => r.big.p50)),
    bigOther: runs
      .flatMap((r) => [...r.big.statuses].filter(([status]) => status !== 200))
      .map(([status, count]) => `${count}x${status}`)
      .join(' '),
  };
}

/**
 * Every mode's server runs at once (an idle one costs nothing) and the rounds alternate
 * between them, so a machine that gets busier during the run weighs on both alike.
 */
async function measure(main, bento, modes) {
  const servers = [];
  try {
    for (const mode of modes) servers.push(await startRuntime(main, bento.dir, mode.env));
    // Warm-up: JIT, connections, the cost model; a large request each.
    for (const server of servers) {
      wrk(server.url, bento.script, 2);
      await largeClient(server.url, bento.large).stop();
    }
    const runs = modes.map(() => []);
    for (let run = 0; run < RUNS; run += 1) {
      for (const [index, server] of servers.entries()) {
        runs[index].push(await round1(server, bento));
        console.error(`round ${run + 1}/${RUNS}: ${modes[index].name}`);
      }
    }
    const results = [];
    for (const [index, mode] of modes.entries())
      results.push(summarize(mode, runs[index], await batchMs(servers[index].url)));
    return results;
  } finally {
    for (const server of servers) await server.stop();
  }
}

async function main() {
  const bundle = await bundleRuntime();
  const bento = makeBento();
  console.log(
    `# bench:runtime-mixed  ${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, runtime on cpu ${SERVER_CPU}, wrk and the large client on cpu ${CLIENT_CPU}; node ${process.version}; ${LARGE_ROWS}-row bodies of ${round(bento.large.length / 1e6, 2)} MB; seconds=${SECONDS} runs=${RUNS}; load average ${loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')}`,
  );
  const modes = [
    { name: 'parse thread (default)', env: {} },
    { name: 'all on the HTTP thread', env: { BENTOCTL_PARSE_THREAD_MIN_KB: '0' } },
  ];
  const only = process.env.BENCH_MODES;
  const results = await measure(
    bundle,
    bento,
    modes.filter((m, index) => only === undefined || only.split(',').includes(String(index))),
  );
  console.log('');
  console.log(
    '| large bodies parsed | small alone rows/s | small with 900-row client rows/s (p50/p99 ms) | mixed / alone (goal >= 0.5) | small refused (goal <= 1 %) | 900-row requests answered (p50 ms) | HTTP thread event-loop delay p99 / max ms |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.mode} | ${Math.round(r.alone)} | ${Math.round(r.mixed)} (${round(r.mixedP50, 2)}/${round(r.mixedP99, 2)}) | ${round(r.ratio, 2)} | ${round(r.refusedShare * 100, 2)} % (${r.refused} of ${r.requests}) | ${r.bigAnswered} of ${r.bigSent}${r.bigOther ? ` (${r.bigOther})` : ''} (${Math.round(r.bigP50)}) | ${round(r.lagP99, 1)} / ${round(r.lagMax, 1)} |`,
    );
  }
  const parseMs = parseCostMs(bento);
  const batch = results[0]?.meanBatchMs ?? NaN;
  console.log('');
  console.log(
    `JSON.parse of one ${LARGE_ROWS}-row body on the server core: ${round(parseMs, 1)} ms; a batch inside onnxruntime: ${round(batch, 2)} ms on average. On an inference thread each large body would hold back about ${Math.round(parseMs / batch)} batches of everyone's requests; on the parse thread it shares the core with them instead.`,
  );
  console.log('');
  for (const r of results) {
    const met =
      r.ratio >= 0.5 && r.refusedShare <= 0.01 && r.bigAnswered === r.bigSent && r.bigSent > 0;
    console.log(`${r.mode}: goal ${met ? 'met' : 'missed'}`);
  }
}

await main();
