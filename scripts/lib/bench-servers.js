/* global performance, Buffer */
/**
 * The comparison servers of scripts/bench-runtime.js, each run as its own process (pinned by
 * the caller with taskset): `node bench-servers.js <kind> <port> <model.onnx> <input name>`.
 *
 *   ceiling: node:http that parses the JSON body and answers a constant: what HTTP + JSON
 *            cost on this core, with no inference and no checks.
 *   naive:   node:http plus one onnxruntime session, session.run per request: what a user
 *            writes in ten minutes (no batching, no input checks beyond JSON.parse).
 *   raw:     no server: session.run back to back at `rows` rows per call for `seconds`,
 *            printing {rowsPerSec, p50, p99, cpuUsPerRow} as JSON.
 */
import { createServer } from 'node:http';
import ort from 'onnxruntime-node';

process.env.ORT_DISABLE_TELEMETRY = '1';
const [kind, arg1, file, input, arg4, arg5] = process.argv.slice(2);

const sessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  executionProviders: ['cpu'],
};

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

if (kind === 'ceiling') {
  createServer(async (request, response) => {
    JSON.parse(await readBody(request));
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"output":[[0.1,0.2]]}');
  }).listen(Number(arg1), '127.0.0.1');
} else if (kind === 'naive') {
  const session = await ort.InferenceSession.create(file, sessionOptions);
  createServer(async (request, response) => {
    const rows = JSON.parse(await readBody(request))[input];
    const tensor = new ort.Tensor('float32', Float32Array.from(rows.flat()), [
      rows.length,
      rows[0].length,
    ]);
    const outputs = await session.run({ [input]: tensor });
    const body = {};
    for (const [name, value] of Object.entries(outputs))
      body[name] = Array.from(value.data, Number);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }).listen(Number(arg1), '127.0.0.1');
} else if (kind === 'raw') {
  const rows = Number(arg1);
  const width = Number(arg4);
  const seconds = Number(arg5);
  const session = await ort.InferenceSession.create(file, sessionOptions);
  const data = Float32Array.from({ length: rows * width }, (_, i) => (i % 7) / 7);
  const feeds = { [input]: new ort.Tensor('float32', data, [rows, width]) };
  for (let i = 0; i < 50; i += 1) await session.run(feeds);
  const times = [];
  // All threads of this process (session.run runs off the main thread): the CPU per row.
  const cpuBefore = process.cpuUsage();
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const started = performance.now();
    await session.run(feeds);
    times.push(performance.now() - started);
  }
  const cpu = process.cpuUsage(cpuBefore);
  const total = times.reduce((a, b) => a + b, 0);
  times.sort((a, b) => a - b);
  process.stdout.write(
    JSON.stringify({
      rowsPerSec: (times.length * rows * 1000) / total,
      p50: times[Math.floor(times.length / 2)],
      p99: times[Math.floor(times.length * 0.99)],
      cpuUsPerRow: (cpu.user + cpu.system) / (times.length * rows),
    }),
  );
  process.exit(0);
} else {
  throw new Error(`unknown kind ${kind}`);
}
