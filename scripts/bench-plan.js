// npm run bench:plan: the time `bentoctl plan` adds on top of terraform itself. Both sides plan
// the same stack of built-in terraform_data resources (no provider download): bentoctl as a
// user runs it (a fresh process, --no-generate so only the plan workflow is measured), and the
// same terraform commands it drives (init, plan -out -detailed-exitcode, show -json) run
// directly. Medians over BENCH_RUNS runs (default 9), after one warm-up of each.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_RUNS ?? 9);
const terraform = process.env.TERRAFORM_BIN ?? 'terraform';
const GOAL_MS = 500;

if (!existsSync(join(root, 'dist', 'commands', 'plan.js'))) {
  console.error('dist/ is missing: run `npm run build` first.');
  process.exit(1);
}
const { STACK_FILE } = await import(pathToFileURL(join(root, 'dist', 'stack-file.js')).href);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function timed(command, args, options) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { ...options, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0 && result.status !== 2) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stderr}`);
  }
  return ms;
}

// A stack shaped like a small real one: a dozen resources, a sensitive value, outputs.
const name = 'bench-plan';
const dir = mkdtempSync(join(tmpdir(), 'bentoctl-bench-plan-'));
const stack = join(dir, '.bentoctl', name, 'stack');
mkdirSync(stack, { recursive: true });
mkdirSync(join(dir, 'bento'));
writeFileSync(join(dir, 'bento', 'bento.yaml'), 'service: bench\n');
writeFileSync(
  join(dir, 'deployment_config.yaml'),
  `api_version: v1\nname: ${name}\nbento: ./bento\ntarget: aws-ecs\n`,
);
const resources = {};
for (let i = 0; i < 12; i++) {
  resources[`r${i}`] = {
    input: {
      index: i,
      image: `registry.example.com/bench@sha256:${'a'.repeat(64)}`,
      token: '${sensitive("t")}',
    },
  };
}
writeFileSync(
  join(stack, STACK_FILE),
  JSON.stringify({
    resource: { terraform_data: resources },
    output: { endpoint: { value: 'http://127.0.0.1:9' } },
  }),
);

const env = {
  ...process.env,
  TF_IN_AUTOMATION: '1',
  TF_INPUT: '0',
  CHECKPOINT_DISABLE: '1',
  TF_DATA_DIR: join(dir, 'tf-data'),
  CI: 'true',
};
const bentoctl = () =>
  timed(process.execPath, [join(root, 'bin', 'run.js'), 'plan', '--no-generate'], {
    cwd: dir,
    env,
  });
const direct = () =>
  timed(terraform, ['init', '-input=false', '-no-color'], { cwd: stack, env }) +
  timed(
    terraform,
    ['plan', '-input=false', '-detailed-exitcode', '-out=direct.tfplan', '-no-color'],
    { cwd: stack, env },
  ) +
  timed(terraform, ['show', '-json', 'direct.tfplan'], { cwd: stack, env });
const startup = () =>
  timed(process.execPath, [join(root, 'bin', 'run.js'), '--version'], { cwd: dir, env });

try {
  bentoctl();
  direct();
  const samples = { bentoctl: [], terraform: [], startup: [] };
  // Interleaved so that machine load affects both sides alike.
  for (let i = 0; i < runs; i++) {
    samples.bentoctl.push(bentoctl());
    samples.terraform.push(direct());
    samples.startup.push(startup());
  }
  const result = {
    runs,
    bentoctlPlanMs: Math.round(median(samples.bentoctl)),
    terraformDirectMs: Math.round(median(samples.terraform)),
    overheadMs: Math.round(median(samples.bentoctl) - median(samples.terraform)),
    cliStartupMs: Math.round(median(samples.startup)),
    goalMs: GOAL_MS,
  };
  console.log(`bentoctl plan --no-generate        ${result.bentoctlPlanMs} ms (median of ${runs})`);
  console.log(`terraform init + plan + show -json ${result.terraformDirectMs} ms`);
  console.log(`overhead                           ${result.overheadMs} ms (goal < ${GOAL_MS} ms)`);
  console.log(`  of which CLI start (--version)   ${result.cliStartupMs} ms`);
  console.log(JSON.stringify(result));
  if (result.overheadMs >= GOAL_MS) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
