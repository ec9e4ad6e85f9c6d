/**
 * The build context, streamed to the engine as a tar made on the fly: the Dockerfile, the
 * runtime under `runtime-layer/app/runtime/` and the bento's content files (what `.bentoignore`
 * leaves) under `bento-layer/app/bento/`. Nothing is staged in a temp folder, so nothing can
 * vanish mid-build.
 *
 * Every entry, folders included, has the same owner, mode and mtime, so the same files give
 * byte-identical layers on any machine, even without the engine's build cache: the runtime
 * layer of a rebuild is the one the registry already holds. That is why each layer's folder
 * holds the full path from `/` (the Dockerfile copies it to `/`): a `COPY x /app/runtime/`
 * would create `/app` with the time of the build.
 */
import { createReadStream, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pack as tarPack, type Header, type Pack } from 'tar-stream';
import { listBentoFiles } from '../bento/content-hash.js';
import type { BundleFile } from './runtime-bundle.js';

/** 2000-01-01T00:00:00Z: any fixed instant works; epoch 0 trips some tar readers. */
export const CONTEXT_MTIME = new Date(Date.UTC(2000, 0, 1));
/** Context folders copied to `/`, and where their files land in the image. */
export const RUNTIME_LAYER = { context: 'runtime-layer', image: 'app/runtime' } as const;
export const BENTO_LAYER = { context: 'bento-layer', image: 'app/bento' } as const;

export interface ContextInput {
  readonly dockerfile: string;
  readonly runtime: readonly BundleFile[];
  readonly bentoDir: string;
  /** @default listBentoFiles(bentoDir): the bento's content files, `.bentoignore` applied */
  readonly bentoFiles?: readonly string[];
}

export interface BuildContext {
  /** The tar, for dockerode's buildImage. */
  readonly stream: NodeJS.ReadableStream;
  /**
   * Aborted (with the cause as reason) when reading a file fails: a tar that just stops growing
   * would leave the build request waiting, so the builder aborts the request on this signal.
   */
  readonly failed: AbortSignal;
}

interface ContextEntry {
  readonly name: string;
  readonly mode: number;
  readonly size: number;
  readonly content: Buffer | { readonly file: string };
}

/** The entries of the context, in the order they are written (for dry runs and tests). */
export function contextEntries(input: ContextInput): ContextEntry[] {
  const bentoFiles = input.bentoFiles ?? listBentoFiles(input.bentoDir);
  return [
    {
      name: 'Dockerfile',
      mode: 0o644,
      size: Buffer.byteLength(input.dockerfile),
      content: Buffer.from(input.dockerfile),
    },
    ...input.runtime.map((file) => ({
      ...file,
      name: posix.join(RUNTIME_LAYER.context, RUNTIME_LAYER.image, file.path),
    })),
    ...bentoFiles.map((path) => {
      const file = join(input.bentoDir, ...path.split('/'));
      return {
        name: posix.join(BENTO_LAYER.context, BENTO_LAYER.image, path),
        mode: 0o644,
        size: statSync(file).size,
        content: { file },
      };
    }),
  ];
}

export function buildContext(input: ContextInput): BuildContext {
  const entries = contextEntries(input);
  const failure = new AbortController();
  const tar = tarPack();
  // Readable.from: dockerode wants a Node stream, tar-stream 3 produces a streamx one.
  const stream = Readable.from(tar);
  // The failure reaches the builder through `failed`, which aborts the request; an 'error'
  // event nobody listens to would crash the process instead.
  stream.on('error', () => undefined);
  void writeEntries(tar, entries).then(
    () => tar.finalize(),
    (error: unknown) => {
      failure.abort(error);
      stream.destroy(error instanceof Error ? error : new Error(String(error)));
      tar.destroy();
    },
  );
  return { stream, failed: failure.signal };
}

async function writeEntries(tar: Pack, entries: readonly ContextEntry[]): Promise<void> {
  const written = new Set<string>();
  for (const entry of entries) {
    // Explicit parent folders, so their mode and mtime are fixed too.
    const parents: string[] = [];
    for (
      let dir = posix.dirname(entry.name);
      dir !== '.' && !written.has(dir);
      dir = posix.dirname(dir)
    )
      parents.unshift(dir);
    for (const dir of parents) {
      written.add(dir);
      await addEntry(tar, { name: `${dir}/`, type: 'directory', mode: 0o755 });
    }
    await addEntry(tar, { name: entry.name, mode: entry.mode, size: entry.size }, entry.content);
  }
}

function addEntry(
  tar: Pack,
  header: Pick<Header, 'name' | 'mode'> & Partial<Pick<Header, 'size' | 'type'>>,
  content?: Buffer | { readonly file: string },
): Promise<void> {
  const full: Partial<Header> & Pick<Header, 'name'> = {
    ...header,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    mtime: CONTEXT_MTIME,
  };
  return new Promise((resolve, reject) => {
    const done = (error?: Error | null): void => (error ? reject(error) : resolve());
    if (content === undefined) {
      tar.entry(full, done);
    } else if (Buffer.isBuffer(content)) {
      tar.entry(full, content, done);
    } else {
      // Streamed: model files can be gigabytes.
      const sink = tar.entry(full, done);
      // streamx destroys a piped-into sink when its source fails; `done` reports that already.
      sink.on('error', () => undefined);
      const source = createReadStream(content.file);
      // The caller stops the whole tar on this rejection; the half-written entry goes with it.
      source.on('error', reject);
      source.pipe(sink as unknown as NodeJS.WritableStream);
    }
  });
}
