/**
 * A node base image made from the host's own node binary and shared libraries, because test
 * machines have no Docker Hub to pull node:20 from. It is the FROM of every test Dockerfile.
 *
 * Contents: /usr/local/bin/node, /bin/sh (the host's, so RUN steps work), the libraries `ldd`
 * lists for both and for onnxruntime-node's native binding (at the paths ldd prints, which the
 * glibc loader searches by default), /etc/passwd+group with a non-root `bento` (1000:1000),
 * /tmp and home directories.
 */
import { execFile } from 'node:child_process';
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type Dockerode from 'dockerode';
import { pack as tarPack, type Header, type Pack } from 'tar-stream';
import { followDockerStream } from '../../src/builders/docker-stream.js';

export const BASE_IMAGE_REPO = 'bentoctl-test/node-base';
/** Tagged with the node version: the binary inside is the host's, so the host decides it. */
export const BASE_IMAGE = `${BASE_IMAGE_REPO}:${process.versions.node}`;
export const BASE_IMAGE_USER = { name: 'bento', uid: 1000, gid: 1000 } as const;

const IMPORT_TIMEOUT_MS = 180_000;

/** One import per engine even when several suites/tests ask concurrently. */
const imports = new WeakMap<Dockerode, Promise<string>>();

/** Makes sure BASE_IMAGE exists in this engine (importing it if not) and returns its name. */
export function ensureBaseImage(docker: Dockerode): Promise<string> {
  let pending = imports.get(docker);
  if (!pending) {
    pending = importIfMissing(docker);
    // Forget failures so a later call can retry instead of replaying the same rejection.
    pending.catch(() => imports.delete(docker));
    imports.set(docker, pending);
  }
  return pending;
}

async function importIfMissing(docker: Dockerode): Promise<string> {
  if (await imageExists(docker, BASE_IMAGE)) return BASE_IMAGE;
  // A failure while collecting files must abort the upload: a tar that just stops growing
  // would leave the import request waiting until the timeout.
  const collecting = new AbortController();
  const signal = AbortSignal.any([AbortSignal.timeout(IMPORT_TIMEOUT_MS), collecting.signal]);
  const tar = tarPack();
  void writeRootfs(tar).then(
    () => tar.finalize(),
    (error: unknown) => collecting.abort(error),
  );
  try {
    // Readable.from: dockerode wants a Node stream, tar-stream 3 produces a streamx one.
    const stream = await docker.importImage(Readable.from(tar), {
      repo: BASE_IMAGE_REPO,
      tag: process.versions.node,
      // Image config that `docker import` cannot take from a tarball; repeated query params.
      changes: ['ENV PATH=/usr/local/bin:/usr/bin:/bin', 'CMD ["node"]'],
      abortSignal: signal,
    });
    await followDockerStream(docker, stream, { operation: `import of ${BASE_IMAGE}`, signal });
  } catch (error) {
    throw collecting.signal.aborted ? collecting.signal.reason : error;
  }
  if (!(await imageExists(docker, BASE_IMAGE))) {
    throw new Error(`import of ${BASE_IMAGE} finished but the engine does not list the image`);
  }
  return BASE_IMAGE;
}

async function imageExists(docker: Dockerode, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch (error) {
    if (isStatus(error, 404)) return false;
    throw error;
  }
}

function isStatus(error: unknown, status: number): boolean {
  return typeof error === 'object' && error !== null && 'statusCode' in error
    ? error.statusCode === status
    : false;
}

async function writeRootfs(tar: Pack): Promise<void> {
  const { name, uid, gid } = BASE_IMAGE_USER;
  const shell = await realpath('/bin/sh').catch(() => undefined);
  const binaries = [process.execPath, ...(shell ? [shell] : [])];
  const libraries = await sharedLibraries([...binaries, ...(await onnxruntimeNativeFiles())]);

  const files = new Map<string, { source: string }>([
    ['/usr/local/bin/node', { source: process.execPath }],
    ...(shell ? [['/bin/sh', { source: shell }] as const] : []),
    ...libraries.map((lib) => [lib, { source: lib }] as const),
  ]);
  const dirs = new Map<string, Partial<Header>>([
    ['/tmp', { mode: 0o1777 }],
    ['/root', { mode: 0o700 }],
    [`/home/${name}`, { mode: 0o755, uid, gid }],
  ]);
  const generated = new Map([
    ['/etc/passwd', passwd()],
    ['/etc/group', group()],
  ]);
  // Explicit parents: implicit ones get whatever mode the engine picks, and an untraversable
  // /etc makes node abort at startup (OpenSSL tolerates a missing openssl.cnf, not EACCES).
  for (const path of [...files.keys(), ...generated.keys(), ...dirs.keys()]) {
    for (let dir = posix.dirname(path); dir !== '/'; dir = posix.dirname(dir)) {
      if (!dirs.has(dir)) dirs.set(dir, { mode: 0o755 });
    }
  }

  // Parents sort before children, so every directory exists before anything lands in it.
  for (const [dir, header] of [...dirs].sort(([a], [b]) => a.localeCompare(b))) {
    await addEntry(tar, { name: dir.slice(1), type: 'directory', ...header });
  }
  for (const [target, content] of generated) {
    await addEntry(tar, { name: target.slice(1), mode: 0o644 }, content);
  }
  for (const [target, { source }] of files) {
    const [content, info] = await Promise.all([readFile(source), stat(source)]);
    await addEntry(tar, { name: target.slice(1), mode: info.mode & 0o7777 }, content);
  }
}

function passwd(): string {
  const { name, uid, gid } = BASE_IMAGE_USER;
  return `root:x:0:0:root:/root:/bin/sh\n${name}:x:${uid}:${gid}:${name}:/home/${name}:/bin/sh\n`;
}

function group(): string {
  const { name, gid } = BASE_IMAGE_USER;
  return `root:x:0:\n${name}:x:${gid}:\n`;
}

function addEntry(
  tar: Pack,
  header: Partial<Header> & Pick<Header, 'name'>,
  content?: string | Buffer,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error | null): void => (error ? reject(error) : resolve());
    if (content === undefined) tar.entry(header, done);
    else tar.entry(header, content, done);
  });
}

/**
 * onnxruntime-node's native files: their system libraries go in the base, so model images only
 * need to add node_modules.
 */
async function onnxruntimeNativeFiles(): Promise<string[]> {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('onnxruntime-node/package.json'));
  const dir = join(root, 'bin', 'napi-v6', process.platform, process.arch);
  const names = await readdir(dir);
  return names.filter((n) => /\.so(\.|$)|\.node$/.test(n)).map((n) => join(dir, n));
}

/**
 * Absolute paths of the shared libraries (and the ELF interpreter) the given files load, minus
 * anything under node_modules, which images carry with the app.
 */
async function sharedLibraries(files: readonly string[]): Promise<string[]> {
  const { stdout } = await promisify(execFile)('ldd', [...files]).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`ldd failed (install: apt-get install -y libc-bin): ${message}`);
  });
  const missing = stdout.split('\n').filter((line) => line.includes('=> not found'));
  if (missing.length > 0) throw new Error(`ldd reports missing libraries:\n${missing.join('\n')}`);
  const paths = new Set<string>();
  // Lines look like "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or
  // "/lib64/ld-linux-x86-64.so.2 (0x...)"; vdso lines have no path.
  for (const match of stdout.matchAll(/(?:=>\s+|^\s*)(\/\S+)\s+\(0x[0-9a-f]+\)/gm)) {
    const path = match[1];
    if (path && !path.includes('/node_modules/')) paths.add(path);
  }
  return [...paths].sort();
}
