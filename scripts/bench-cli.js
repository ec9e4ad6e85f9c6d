// npm run bench:cli: wall time of `bentoctl --help`, `targets list` and `validate` on an
// example, median of several runs, each a fresh process as a user would start it.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_RUNS ?? 15);
const cases = [
  ['--help', ['--help']],
  ['--version', ['--version']],
  ['targets list', ['targets', 'list']],
  ['validate (aws-ecs example)', ['validate', '-f', 'examples/aws-ecs/deployment_config.yaml']],
  [
    'validate --json (google-cloud-run example)',
    ['validate', '-f', 'examples/google-cloud-run/deployment_config.yaml', '--json'],
  ],
];

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// A bare `node -e 0` is the floor every CLI start pays on this machine.
const floor = [];
for (let i = 0; i < runs; i++) {
  const start = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', '0']);
  floor.push(Number(process.hrtime.bigint() - start) / 1e6);
}
console.log(`node -e 0 (floor): median ${median(floor).toFixed(0)} ms over ${runs} runs`);
for (const [label, args] of cases) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), ...args], {
      cwd: root,
      encoding: 'utf8',
    });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.status !== 0) {
      console.error(`${label} failed (exit ${result.status}):\n${result.stderr}`);
      process.exit(1);
    }
  }
  console.log(
    `${label}: median ${median(times).toFixed(0)} ms, min ${Math.min(...times).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms over ${runs} runs`,
  );
}
