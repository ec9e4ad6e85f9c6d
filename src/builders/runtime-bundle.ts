/**
 * The runtime as the image carries it: the server and its inference-thread script, bundled into
 * two ESM files by `npm run build` (scripts/bundle-runtime.js), plus only the parts of
 * onnxruntime-node that linux-x64 loads (its JS entry, onnxruntime-common's CommonJS build and
 * the native binding with libonnxruntime), and the few files of swagger-ui-dist that the
 * runtime's documentation page serves.
 * The npm package is ~290 MB because it ships every platform; the image needs ~47 MB of it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, sep } from 'node:path';
import { errors } from '../errors/index.js';
import { newestFile } from '../newest-file.js';
import { codeFolder, packageDirAbove, packageRoot as bentoctlRoot } from '../package-root.js';
import { SWAGGER_ASSETS, SWAGGER_LICENSES, swaggerUiDir } from '../swagger-ui-files.js';

/** One file of the runtime layer, relative to the runtime folder with `/` separators. */
export interface BundleFile {
  readonly path: string;
  readonly mode: number;
  readonly size: number;
  /** In-memory content (bundled JS), or the file on disk to stream (native libraries). */
  readonly content: Buffer | { readonly file: string };
}

export interface RuntimeBundle {
  readonly files: readonly BundleFile[];
  readonly bytes: number;
  /** Things the image will lack, e.g. CUDA provider libraries for a GPU image. */
  readonly warnings: readonly string[];
}

export interface RuntimeBundleOptions {
  /** GPU images keep onnxruntime's CUDA/TensorRT provider libraries; CPU images drop them. */
  readonly device: 'cpu' | 'gpu';
}

/** The image's platform: onnxruntime-node ships native files per platform and architecture. */
export const ORT_NATIVE_DIR = 'bin/napi-v6/linux/x64';
const GPU_PROVIDER_LIB = /^libonnxruntime_providers_(cuda|tensorrt)\.so/;
const ENTRY_POINTS = ['main', 'inference-worker'] as const;
/** The file the image's ENTRYPOINT runs, relative to the runtime folder. */
export const RUNTIME_MAIN = 'main.js';

/** Where `npm run build` (scripts/bundle-runtime.js) writes the bundled runtime. */
export const RUNTIME_BUNDLE_DIR = 'dist/runtime-bundle';

export async function bundleRuntime(options: RuntimeBundleOptions): Promise<RuntimeBundle> {
  const javascript = bundledEntryPoints();
  const { files: ortFiles, warnings } = onnxruntimeFiles(options.device);
  const files = [...javascript, ...ortFiles, ...swaggerUiFiles()].sort((a, b) =>
    compare(a.path, b.path),
  );
  return { files, bytes: files.reduce((sum, file) => sum + file.size, 0), warnings };
}

/**
 * The entry points bundled at package build time, so an installed bentoctl needs no esbuild.
 * Read into memory: they are small, and the image layer must not change if the file does.
 */
function bundledEntryPoints(): BundleFile[] {
  const dir = join(bentoctlRoot(), RUNTIME_BUNDLE_DIR);
  const files = ENTRY_POINTS.map((name) => join(dir, `${name}.js`));
  const missing = files.find((file) => !existsSync(file));
  if (missing !== undefined) {
    throw errors.internal(`the bundled runtime ${missing} is missing: rebuild with npm run build`);
  }
  if (codeFolder() === 'src') assertBundleFresh(files);
  return files.map((file) => {
    const content = readFileSync(file);
    return { path: basename(file), mode: 0o644, size: content.length, content };
  });
}

/**
 * Running from the sources (tests), an image must not get a runtime older than src/: the bundle
 * is made from them by `npm run build`, so a source edited since then means a stale image.
 */
function assertBundleFresh(files: readonly string[]): void {
  const built = Math.min(...files.map((file) => statSync(file).mtimeMs));
  const newer = newestFile(join(bentoctlRoot(), 'src'));
  if (newer !== undefined && newer.mtimeMs > built) {
    throw errors.internal(
      `${relative(bentoctlRoot(), newer.file)} is newer than the bundled runtime in ${RUNTIME_BUNDLE_DIR}: rebuild with npm run build`,
    );
  }
}

function onnxruntimeFiles(device: 'cpu' | 'gpu'): { files: BundleFile[]; warnings: string[] } {
  const require = createRequire(import.meta.url);
  const nodeRoot = dirname(require.resolve('onnxruntime-node/package.json'));
  const commonRoot = packageRoot(
    createRequire(join(nodeRoot, 'package.json')).resolve('onnxruntime-common'),
  );
  const nativeDir = join(nodeRoot, ORT_NATIVE_DIR);
  if (!existsSync(nativeDir)) {
    throw errors.internal(
      `onnxruntime-node at ${nodeRoot} has no ${ORT_NATIVE_DIR}; reinstall it (npm ci) so the linux-x64 binaries are present`,
    );
  }
  const natives = readdirSync(nativeDir).filter(
    (name) => device === 'gpu' || !GPU_PROVIDER_LIB.test(name),
  );
  const warnings =
    device === 'gpu' && !natives.some((name) => GPU_PROVIDER_LIB.test(name))
      ? [
          `onnxruntime-node in ${nodeRoot} has no CUDA provider library in ${ORT_NATIVE_DIR}: the GPU image cannot load the CUDA execution provider and will fail readiness (DEVICE_UNAVAILABLE), or serve on CPU with runtime.device_fallback: cpu. Reinstall it with ONNXRUNTIME_NODE_INSTALL=cuda12 (npm rebuild onnxruntime-node) to include libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so.`,
        ]
      : [];
  const files = [
    ...packageFiles(
      nodeRoot,
      'node_modules/onnxruntime-node',
      (path) => path === 'package.json' || isLicense(path) || /^dist\/[^/]+\.js$/.test(path),
    ),
    ...natives.map((name) =>
      diskFile(join(nativeDir, name), `node_modules/onnxruntime-node/${ORT_NATIVE_DIR}/${name}`),
    ),
    // onnxruntime-node is CommonJS, so only onnxruntime-common's `require` build is loaded.
    ...packageFiles(
      commonRoot,
      'node_modules/onnxruntime-common',
      (path) =>
        path === 'package.json' ||
        isLicense(path) ||
        /^dist\/cjs\/.+\.js$/.test(path) ||
        path === 'dist/cjs/package.json',
    ),
  ];
  return { files, warnings };
}

/**
 * The Swagger UI files the runtime's page serves (src/runtime/swagger-page.ts), where its
 * `createRequire(import.meta.url)` lookup finds them from main.js: node_modules/swagger-ui-dist.
 */
function swaggerUiFiles(): BundleFile[] {
  const root = swaggerUiDir();
  return [...Object.keys(SWAGGER_ASSETS), ...SWAGGER_LICENSES].map((name) =>
    diskFile(join(root, name), `node_modules/swagger-ui-dist/${name}`),
  );
}

function packageFiles(root: string, prefix: string, keep: (path: string) => boolean): BundleFile[] {
  const out: BundleFile[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const path = relative(root, full).split(sep).join('/');
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'bin') walk(full);
      } else if (entry.isFile() && keep(path)) {
        out.push(diskFile(full, `${prefix}/${path}`));
      }
    }
  };
  walk(root);
  return out;
}

function diskFile(file: string, path: string): BundleFile {
  const info = statSync(file);
  // Native libraries must stay executable-agnostic: readable by the non-root user is enough.
  return { path, mode: 0o644, size: info.size, content: { file } };
}

function isLicense(path: string): boolean {
  return /^(LICENSE|LICENCE|ThirdPartyNotices)[^/]*$/i.test(path);
}

/** The folder of the nearest package.json above `file`. */
function packageRoot(file: string): string {
  const root = packageDirAbove(dirname(file));
  if (root === undefined) throw errors.internal(`no package.json above ${file}`);
  return root;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
