/**
 * The folder of the installed bentoctl package (where package.json, templates/ and dist/ are).
 *
 * Modules must not find package files with a fixed `../../` from their own URL: the same code
 * runs from src/ (tests), from dist/<folder>/ (tsc output) and bundled into a command or a
 * shared chunk (dist/commands/<topic>/, dist/chunks/), all at different depths. So the lookup
 * walks up to the package.json named bentoctl.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached === undefined) {
    const start = dirname(fileURLToPath(import.meta.url));
    cached = packageDirAbove(start, 'bentoctl');
    if (cached === undefined) {
      throw new Error(`bentoctl's package.json was not found above ${start}; reinstall bentoctl`);
    }
  }
  return cached;
}

/** `src` when this code runs from the TypeScript sources (vitest), else `dist`. */
export function codeFolder(): 'src' | 'dist' {
  const here = relative(packageRoot(), fileURLToPath(import.meta.url));
  return here.startsWith(`src${sep}`) ? 'src' : 'dist';
}

/**
 * The nearest folder at or above `start` whose package.json has a name (`name` itself when
 * given). A package.json without a name (e.g. onnxruntime-common's dist/cjs one, which only
 * sets `type`) is not a package root.
 */
export function packageDirAbove(start: string, name?: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const found = nameOf(manifest);
      if (typeof found === 'string' && (name === undefined || found === name)) return dir;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function nameOf(manifest: string): unknown {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
  } catch {
    return undefined;
  }
}
