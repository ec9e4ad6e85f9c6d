/**
 * Resolves the `bento:` field of a config: a folder with a bento.yaml, a bento archive, or
 * `name:version` from the local store. Relative paths are relative to the config file, so a
 * config means the same thing whichever folder bentoctl runs from.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { closestMatch } from '../config/suggest.js';
import { BENTO_FILE } from './bento-file.js';
import { storedBentoPath } from './home.js';

export { BENTO_FILE };
const ARCHIVE_SUFFIXES = ['.bento', '.tar.gz', '.tgz'] as const;
/** `name:version`: no path separators, one colon. */
export const STORE_REFERENCE = /^([a-z0-9][a-z0-9_-]*):([A-Za-z0-9._-]+)$/;

export type BentoReference =
  | { readonly kind: 'directory'; readonly path: string }
  | { readonly kind: 'archive'; readonly path: string }
  | {
      readonly kind: 'store';
      readonly path: string;
      readonly name: string;
      readonly version: string;
    };

export type BentoLookup =
  | { readonly found: true; readonly reference: BentoReference }
  | { readonly found: false; readonly problem: string; readonly suggestion?: string };

export function locateBento(value: string, configDir: string, home: string): BentoLookup {
  const stored = STORE_REFERENCE.exec(value);
  if (stored && !value.includes('/')) {
    const [, name = '', version = ''] = stored;
    const path = storedBentoPath(home, name, version);
    if (existsSync(join(path, BENTO_FILE))) {
      return { found: true, reference: { kind: 'store', path, name, version } };
    }
    return {
      found: false,
      problem: `${value} is not in the local bento store (${join(home, 'bentos')})`,
      suggestion: 'bentoctl bento build <folder>, then use the name:version it prints',
    };
  }
  const path = isAbsolute(value) ? value : resolve(configDir, value);
  if (!existsSync(path)) {
    return {
      found: false,
      problem: `${JSON.stringify(value)} does not exist (looked for ${path})`,
      suggestion: siblingSuggestion(path, value),
    };
  }
  const stat = statSync(path);
  if (stat.isDirectory()) {
    if (existsSync(join(path, BENTO_FILE)))
      return { found: true, reference: { kind: 'directory', path } };
    return {
      found: false,
      problem: `${JSON.stringify(value)} is a folder without a ${BENTO_FILE} (looked in ${path})`,
    };
  }
  if (ARCHIVE_SUFFIXES.some((suffix) => path.endsWith(suffix))) {
    return { found: true, reference: { kind: 'archive', path } };
  }
  return {
    found: false,
    problem: `${JSON.stringify(value)} is a file but not a bento archive (${ARCHIVE_SUFFIXES.join(', ')})`,
  };
}

/** A typo in the last path segment is the usual mistake: suggest the closest bento folder. */
function siblingSuggestion(path: string, written: string): string | undefined {
  const parent = dirname(path);
  if (!existsSync(parent)) return undefined;
  const bentos = readdirSync(parent, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(parent, entry.name, BENTO_FILE)))
    .map((entry) => entry.name);
  const closest = closestMatch(basename(path), bentos);
  if (closest === undefined) return undefined;
  // Keep the user's own spelling of the folder part (`./examples/`), replace only the typo.
  return written.slice(0, written.replace(/\/+$/, '').lastIndexOf('/') + 1) + closest;
}
