/**
 * The most recently modified file under a folder: how a build output tells that the sources
 * changed after it was made (the runtime bundle's check, and the tests that spawn dist/).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface DatedFile {
  /** Absolute path. */
  readonly file: string;
  readonly mtimeMs: number;
}

/** Undefined for a folder without files. */
export function newestFile(dir: string): DatedFile | undefined {
  let newest: DatedFile | undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    const { mtimeMs } = statSync(file);
    if (newest === undefined || mtimeMs > newest.mtimeMs) newest = { file, mtimeMs };
  }
  return newest;
}
