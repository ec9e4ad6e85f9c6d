/**
 * The bento version: a content hash over every file's relative path and bytes, in sorted order,
 * so the same bento always yields the same version (and image tag) wherever it is built. Files
 * named by `.bentoignore` (and ALWAYS_IGNORED) are not content: changing them keeps the version.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ALWAYS_IGNORED, readIgnore, type IgnoreMatcher } from './ignore.js';

const ALWAYS = new Set<string>(ALWAYS_IGNORED);

export function bentoContentHash(path: string): string {
  const hash = createHash('sha256');
  if (statSync(path).isFile()) {
    hash.update(readFileSync(path));
  } else {
    for (const name of listBentoFiles(path)) {
      const bytes = readFileSync(join(path, name));
      hash.update(`${name}\0${bytes.length}\0`);
      hash.update(bytes);
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** The bento's content files, relative to `root` with `/` separators, sorted. */
export function listBentoFiles(root: string, matcher: IgnoreMatcher = readIgnore(root)): string[] {
  const files: string[] = [];
  const walk = (relativeDir: string): void => {
    const dir = relativeDir === '' ? root : join(root, relativeDir);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (ALWAYS.has(entry.name)) continue;
      const name = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!matcher.ignores(name, true)) walk(name);
      } else if (entry.isFile() && !matcher.ignores(name, false)) {
        files.push(name);
      }
    }
  };
  walk('');
  // Code-unit order, not locale order: the hash must not depend on the machine's locale.
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
