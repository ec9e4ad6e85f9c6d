// npm run bench:build: the image builder on a private dockerd + registry (the integration-test
// engines, see DEVELOPERS.md; needs root, docker.io and docker-registry). Measures, for the
// examples/iris bento on the test node base image:
//   - image size over the base, and the runtime layer's size (goal: < 60 MB)
//   - cold build + push time (fresh engine, no build cache)
//   - warm rebuild + push after a model-only change
//   - what that rebuild uploaded (goal: only the model layer), counted from the push stream
//     and from the registry's storage folder.
// Runs the compiled builder from dist/ (npm run build first), like users run it.
import { build as esbuild } from 'esbuild';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { Buffer } from 'node:buffer';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MB = 1_000_000;

if (!existsSync(join(root, 'dist', 'builders', 'build-and-push.js'))) {
  console.error('dist/ is missing: run `npm run build` first (npm run bench:build does).');
  process.exit(1);
}

// The engine helpers are TypeScript test code: bundle them once into node_modules/.cache.
const cache = join(root, 'node_modules', '.cache', 'bentoctl-bench');
mkdirSync(cache, { recursive: true });
const helpers = join(cache, 'engines.mjs');
await esbuild({
  stdin: {
    contents: [
      "export { startDockerEngine, dockerEngineProblems } from './test/helpers/docker-engine.ts';",
      "export { startRegistry, registryProblems } from './test/helpers/registry.ts';",
      "export { ensureBaseImage } from './test/helpers/base-image.ts';",
    ].join('\n'),
    resolveDir: root,
    loader: 'ts',
  },
  outfile: helpers,
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  logLevel: 'error',
});
const engines = await import(pathToFileURL(helpers).href);
const { buildAndPushImage } = await import(
  pathToFileURL(join(root, 'dist/builders/build-and-push.js')).href
);
const { loadConfig } = await import(pathToFileURL(join(root, 'dist/config/load.js')).href);

const problems = [...engines.dockerEngineProblems(), ...engines.registryProblems()];
if (problems.length > 0) {
  console.error(`bench:build needs the test engines:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}

/** Bytes of the blobs the registry stores (layers, configs, manifests). */
function registryBytes(registry) {
  const blobs = join(dirname(registry.logFile), 'data', 'docker', 'registry', 'v2', 'blobs');
  let total = 0;
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name === 'data') total += statSync(path).size;
    }
  };
  walk(blobs);
  return total;
}

/** Moves one threshold of the iris model (-4.85 -> -4.8): a model-only change. */
function changeModel(file) {
  const model = readFileSync(file);
  const from = Buffer.alloc(4);
  from.writeFloatLE(-4.85);
  const at = model.indexOf(from);
  if (at < 0) throw new Error(`${file} has no -4.85 weight to change`);
  model.writeFloatLE(-4.8, at);
  writeFileSync(file, model);
}

const workspace = mkdtempSync(join(tmpdir(), 'bentoctl-bench-build-'));
const started = await Promise.allSettled([engines.startDockerEngine(), engines.startRegistry()]);
const [engine, registry] = started.map((result) =>
  result.status === 'fulfilled' ? result.value : undefined,
);
try {
  for (const result of started) if (result.status === 'rejected') throw result.reason;
  const baseImage = await engines.ensureBaseImage(engine.docker);
  cpSync(join(root, 'examples', 'iris'), join(workspace, 'iris'), { recursive: true });
  const configFile = join(workspace, 'deployment_config.yaml');
  writeFileSync(configFile, 'api_version: v1\nname: iris-bench\nbento: ./iris\ntarget: aws-ecs\n');

  const buildOnce = async () => {
    const before = registryBytes(registry);
    const start = performance.now();
    const result = await buildAndPushImage({
      config: loadConfig(configFile),
      push: true,
      registry: registry.host,
      baseImage,
      docker: engine.docker,
      cwd: workspace,
    });
    const ms = Math.round(performance.now() - start);
    return { result, ms, uploadedBytes: registryBytes(registry) - before };
  };

  const cold = await buildOnce();
  changeModel(join(workspace, 'iris', 'models', 'iris.onnx'));
  const warm = await buildOnce();

  const base = await engine.docker.getImage(baseImage).inspect();
  const history = await engine.docker.getImage(warm.result.imageId).history();
  const [bentoLayer, runtimeLayer] = history.filter((entry) => entry.Size > 0);
  const warmLayersSame = warm.result.layers
    .slice(0, -1)
    .every((layer, i) => layer === cold.result.layers[i]);
  const figures = {
    baseImage,
    imageSizeOverBaseMB: +((cold.result.sizeBytes - base.Size) / MB).toFixed(1),
    runtimeLayerMB: +(runtimeLayer.Size / MB).toFixed(1),
    bentoLayerBytes: bentoLayer.Size,
    coldBuildAndPushS: +(cold.ms / 1000).toFixed(1),
    coldBuildS: +(cold.result.buildMs / 1000).toFixed(1),
    coldUploadedMB: +(cold.uploadedBytes / MB).toFixed(1),
    warmRebuildAndPushS: +(warm.ms / 1000).toFixed(1),
    warmBuildS: +(warm.result.buildMs / 1000).toFixed(1),
    warmLayersPushed: warm.result.push.layersPushed,
    warmLayersAlreadyThere: warm.result.push.layersExisting,
    warmUploadedBytes: warm.uploadedBytes,
    onlyLastLayerChanged: warmLayersSame && warm.result.layers.at(-1) !== cold.result.layers.at(-1),
  };
  console.log(`bench:build (examples/iris, base ${baseImage}, node ${process.version})`);
  console.log(`  image size over base        ${figures.imageSizeOverBaseMB} MB`);
  console.log(`  runtime layer               ${figures.runtimeLayerMB} MB (goal < 60 MB)`);
  console.log(`  bento layer                 ${figures.bentoLayerBytes} B`);
  console.log(
    `  cold build + push           ${figures.coldBuildAndPushS} s (build ${figures.coldBuildS} s, uploaded ${figures.coldUploadedMB} MB)`,
  );
  console.log(
    `  warm rebuild + push         ${figures.warmRebuildAndPushS} s (build ${figures.warmBuildS} s) after a model-only change`,
  );
  console.log(
    `  rebuild uploaded            ${figures.warmLayersPushed} layer(s), ${figures.warmUploadedBytes} B into the registry; ${figures.warmLayersAlreadyThere} layer(s) already there`,
  );
  console.log(`  only the last layer changed ${figures.onlyLastLayerChanged}`);
  console.log(JSON.stringify(figures));
  if (
    figures.runtimeLayerMB >= 60 ||
    figures.warmLayersPushed !== 1 ||
    !figures.onlyLastLayerChanged
  )
    process.exitCode = 1;
} finally {
  await Promise.allSettled([engine?.stop(), registry?.stop()]);
  rmSync(workspace, { recursive: true, force: true });
}
