import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract as tarExtract } from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { buildContext, CONTEXT_MTIME } from '../../src/builders/build-context.js';

interface Entry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  mtime: number;
  content: string;
}

async function readTar(stream: NodeJS.ReadableStream): Promise<Entry[]> {
  const entries: Entry[] = [];
  const extract = tarExtract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      body.on('end', () => {
        entries.push({
          name: header.name,
          type: header.type ?? 'file',
          mode: header.mode ?? 0,
          uid: header.uid ?? -1,
          mtime: header.mtime?.getTime() ?? 0,
          content: Buffer.concat(chunks).toString('utf8'),
        });
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
    stream.on('error', reject);
  });
  stream.pipe(extract as unknown as NodeJS.WritableStream);
  await done;
  return entries;
}

describe('buildContext', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function bento(): string {
    dir = mkdtempSync(join(tmpdir(), 'bentoctl-context-'));
    mkdirSync(join(dir, 'models'));
    writeFileSync(join(dir, 'bento.yaml'), 'service: x\n');
    writeFileSync(join(dir, 'models', 'm.onnx'), 'model-bytes');
    writeFileSync(join(dir, 'notes.md'), 'not content');
    writeFileSync(join(dir, '.bentoignore'), '*.md\n');
    return dir;
  }

  it('GIVEN a bento with .bentoignore WHEN streamed THEN the tar has the Dockerfile, runtime and bento files with fixed metadata', async () => {
    const context = buildContext({
      dockerfile: 'FROM scratch\n',
      runtime: [{ path: 'main.js', mode: 0o644, size: 7, content: Buffer.from('main();') }],
      bentoDir: bento(),
    });
    const entries = await readTar(context.stream);
    expect(entries.map((entry) => entry.name)).toEqual([
      'Dockerfile',
      'runtime-layer/',
      'runtime-layer/app/',
      'runtime-layer/app/runtime/',
      'runtime-layer/app/runtime/main.js',
      'bento-layer/',
      'bento-layer/app/',
      'bento-layer/app/bento/',
      'bento-layer/app/bento/.bentoignore',
      'bento-layer/app/bento/bento.yaml',
      'bento-layer/app/bento/models/',
      'bento-layer/app/bento/models/m.onnx',
    ]);
    expect(new Set(entries.map((entry) => entry.mtime))).toEqual(
      new Set([CONTEXT_MTIME.getTime()]),
    );
    expect(new Set(entries.map((entry) => entry.uid))).toEqual(new Set([0]));
    expect(entries.find((entry) => entry.name.endsWith('m.onnx'))?.content).toBe('model-bytes');
    expect(entries.find((entry) => entry.name === 'Dockerfile')?.content).toBe('FROM scratch\n');
    expect(context.failed.aborted).toBe(false);
  });

  it('GIVEN a file that vanishes before it is read WHEN streamed THEN the failure signal carries the cause', async () => {
    const root = bento();
    const context = buildContext({ dockerfile: 'FROM scratch\n', runtime: [], bentoDir: root });
    rmSync(join(root, 'models', 'm.onnx'));
    await expect(readTar(context.stream)).rejects.toThrow();
    expect(context.failed.aborted).toBe(true);
    expect(String(context.failed.reason)).toMatch(/ENOENT/);
  });
});
