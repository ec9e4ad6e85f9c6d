// Benchmarks `bentoctl generate` per target against the same stack synthesized by `cdktf synth`
// (cdktf-cli), in one run: wall time and peak RSS, medians over BENCH_RUNS runs (default 5).
// Both sides run the same construct code (dist/targets/synth-stack.js addDeploymentStack); only
// the driver differs. Needs a build first: `npm run build && node scripts/bench-generate.js`.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_RUNS ?? 5);
const targets = ['aws-ecs', 'google-cloud-run', 'azure-aks', 'aws-ec2-gpu'];
const digest = `sha256:${'ab'.repeat(32)}`;
// A registry each target pulls from: generate refuses an image the target cannot pull.
const images = {
  'aws-ecs': `123456789012.dkr.ecr.us-east-1.amazonaws.com/iris@${digest}`,
  'aws-ec2-gpu': `123456789012.dkr.ecr.us-east-1.amazonaws.com/iris@${digest}`,
  'google-cloud-run': `europe-west4-docker.pkg.dev/my-ml-project/iris/iris@${digest}`,
  'azure-aks': `example.azurecr.io/iris@${digest}`,
};
const cdktfBin = join(root, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf');
const work = mkdtempSync(join(tmpdir(), 'bentoctl-bench-'));
const { STACK_FILE } = await import(pathToFileURL(join(root, 'dist', 'stack-file.js')).href);

// Every node process of a measured command (cdktf synth starts the app as a child) appends its
// own peak RSS here on exit; NODE_OPTIONS carries the hook into children.
const rssHook = join(work, 'rss-hook.mjs');
writeFileSync(
  rssHook,
  `import { appendFileSync } from 'node:fs';
process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) appendFileSync(process.env.BENCH_RSS_FILE, process.resourceUsage().maxRSS + '\\n');
});
`,
);

function measure(command, args, cwd) {
  const rssFile = join(work, 'rss.txt');
  writeFileSync(rssFile, '');
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: 300_000,
    env: {
      ...process.env,
      NODE_OPTIONS: `--import=${pathToFileURL(rssHook).href}`,
      BENCH_RSS_FILE: rssFile,
      CHECKPOINT_DISABLE: '1',
      CI: '1',
      NO_COLOR: '1',
    },
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  const rssKb = readFileSync(rssFile, 'utf8').split('\n').filter(Boolean).map(Number);
  return { ms, peakMb: Math.max(...rssKb) / 1024, sumMb: rssKb.reduce((a, b) => a + b, 0) / 1024 };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The stack JSON without cdktf's `//` metadata, keys sorted: what `generate` writes. */
function normalized(value) {
  if (Array.isArray(value)) return value.map(normalized);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .filter((key) => key !== '//')
      .sort()
      .map((key) => [key, normalized(value[key])]),
  );
}

function cdktfApp(dir, configFile, image) {
  mkdirSync(dir, { recursive: true });
  const dist = (path) => pathToFileURL(join(root, 'dist', path)).href;
  writeFileSync(
    join(dir, 'cdktf.json'),
    JSON.stringify({
      language: 'typescript',
      app: 'node app.mjs',
      projectId: 'bench',
      sendCrashReports: 'false',
      terraformProviders: [],
      terraformModules: [],
    }),
  );
  writeFileSync(
    join(dir, 'app.mjs'),
    `import { App } from ${JSON.stringify(pathToFileURL(join(root, 'node_modules', 'cdktf', 'lib', 'index.js')).href)};
const { loadConfig } = await import(${JSON.stringify(dist('config/load.js'))});
const { addDeploymentStack } = await import(${JSON.stringify(dist('targets/synth-stack.js'))});
const { bentoIdentity } = await import(${JSON.stringify(dist('targets/bento-identity.js'))});
const { parseImageReference } = await import(${JSON.stringify(dist('targets/image-reference.js'))});
const { getTarget } = await import(${JSON.stringify(dist('targets/registry.js'))});
const config = loadConfig(${JSON.stringify(configFile)});
const bento = bentoIdentity(config.bentoReference, config.name);
const app = new App();
const synthesize = await getTarget(config.target).loadSynthesizer();
addDeploymentStack(app, { config, image: parseImageReference(${JSON.stringify(image)}), bentoVersion: bento.version, bentoName: bento.name }, synthesize);
app.synth();
`,
  );
}

cpSync(join(root, 'examples', 'iris'), join(work, 'iris'), { recursive: true });
const rows = [];
try {
  for (const target of targets) {
    const dir = join(work, target);
    mkdirSync(dir, { recursive: true });
    const configFile = join(dir, 'deployment_config.yaml');
    cpSync(join(root, 'examples', target, 'deployment_config.yaml'), configFile);
    const out = join(dir, 'generated');
    const appDir = join(dir, 'cdktf');
    const image = images[target];
    cdktfApp(appDir, configFile, image);

    const generateArgs = [
      join(root, 'bin', 'run.js'),
      'generate',
      '-f',
      configFile,
      '--image',
      image,
      '--out',
      out,
    ];
    const generate = [];
    const synth = [];
    // One unmeasured run each warms the file cache, as a user's second run would be.
    measure(process.execPath, generateArgs, dir);
    measure(process.execPath, [cdktfBin, 'synth'], appDir);
    for (let run = 0; run < runs; run += 1) {
      generate.push(measure(process.execPath, generateArgs, dir));
      synth.push(measure(process.execPath, [cdktfBin, 'synth'], appDir));
    }

    const name = JSON.parse(
      readFileSync(join(appDir, 'cdktf.out', 'manifest.json'), 'utf8'),
    ).stacks;
    const stackName = Object.keys(name)[0];
    const viaCdktf = JSON.parse(
      readFileSync(join(appDir, 'cdktf.out', 'stacks', stackName, 'cdk.tf.json'), 'utf8'),
    );
    const viaGenerate = JSON.parse(readFileSync(join(out, STACK_FILE), 'utf8'));
    const same = JSON.stringify(normalized(viaCdktf)) === JSON.stringify(normalized(viaGenerate));

    rows.push({
      target,
      generateMs: median(generate.map((m) => m.ms)),
      generateMb: median(generate.map((m) => m.peakMb)),
      synthMs: median(synth.map((m) => m.ms)),
      synthMb: median(synth.map((m) => m.peakMb)),
      synthSumMb: median(synth.map((m) => m.sumMb)),
      same,
    });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const fmt = (value, digits = 0) => value.toFixed(digits);
console.log(
  `bentoctl generate vs cdktf synth (cdktf-cli), median of ${runs} runs, node ${process.version}`,
);
// Other work on the machine slows both sides; the load average says how far to trust a run.
console.log(`load average (1 min) at the end: ${loadavg()[0]?.toFixed(2)}`);
console.log('');
console.log(
  'target            generate ms  peak MB | cdktf synth ms  peak MB (all procs) | speed-up  same JSON',
);
for (const row of rows) {
  console.log(
    `${row.target.padEnd(17)} ${fmt(row.generateMs).padStart(11)} ${fmt(row.generateMb).padStart(8)} | ${fmt(row.synthMs).padStart(14)} ${fmt(row.synthMb).padStart(8)} ${`(${fmt(row.synthSumMb)})`.padStart(11)} | ${`${fmt(row.synthMs / row.generateMs, 1)}x`.padStart(8)}  ${row.same ? 'yes' : 'NO'}`,
  );
}
const slow = rows.filter((row) => row.generateMs >= 1000);
const notFaster = rows.filter((row) => row.synthMs / row.generateMs < 5);
console.log('');
console.log(
  `goal < 1 s per target: ${slow.length === 0 ? 'met' : `missed by ${slow.map((r) => r.target).join(', ')}`}`,
);
console.log(
  `goal >= 5x faster than cdktf synth: ${notFaster.length === 0 ? 'met' : `missed by ${notFaster.map((r) => r.target).join(', ')}`}`,
);
if (rows.some((row) => !row.same)) process.exitCode = 1;
