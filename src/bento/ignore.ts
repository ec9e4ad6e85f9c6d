/**
 * `.bentoignore`: gitignore-style patterns (the common subset: `#` comments, `*`, `**`, `?`,
 * a leading `/` to anchor, a trailing `/` for folders only, `!` to re-include) naming files
 * that are not part of a bento's content, its version hash or its stored copy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const IGNORE_FILE = '.bentoignore';

/** Files that never belong to a bento's content, whatever `.bentoignore` says. */
export const ALWAYS_IGNORED = ['.git', '.DS_Store', 'node_modules', '.bentoctl'] as const;

interface Rule {
  readonly pattern: RegExp;
  readonly negated: boolean;
  readonly directoryOnly: boolean;
}

export interface IgnoreMatcher {
  /** `path` is relative to the bento root with `/` separators. */
  ignores(path: string, isDirectory: boolean): boolean;
}

export function parseIgnore(text: string): IgnoreMatcher {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(?<!\\)\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    let body = negated ? line.slice(1) : line;
    const directoryOnly = body.endsWith('/');
    if (directoryOnly) body = body.slice(0, -1);
    // A slash anywhere but the end anchors the pattern to the root, as in git.
    const anchored = body.includes('/');
    if (body.startsWith('/')) body = body.slice(1);
    if (body === '') continue;
    const source = globToRegExp(body);
    rules.push({
      pattern: new RegExp(anchored ? `^${source}$` : `(^|/)${source}$`),
      negated,
      directoryOnly,
    });
  }
  return {
    ignores(path, isDirectory) {
      let ignored = false;
      for (const rule of rules) {
        if (rule.directoryOnly && !isDirectory) continue;
        if (rule.pattern.test(path)) ignored = !rule.negated;
      }
      return ignored;
    },
  };
}

/** Reads `<root>/.bentoignore`; no file means nothing beyond ALWAYS_IGNORED is ignored. */
export function readIgnore(root: string): IgnoreMatcher {
  const file = join(root, IGNORE_FILE);
  return parseIgnore(existsSync(file) ? readFileSync(file, 'utf8') : '');
}

function globToRegExp(glob: string): string {
  let out = '';
  for (let index = 0; index < glob.length; index += 1) {
    const char = glob[index] ?? '';
    if (char === '*') {
      if (glob[index + 1] === '*') {
        // `**/` matches zero or more folders; a trailing `**` matches everything below.
        const slash = glob[index + 2] === '/';
        out += slash ? '(?:.*/)?' : '.*';
        index += slash ? 2 : 1;
      } else {
        out += '[^/]*';
      }
    } else if (char === '?') {
      out += '[^/]';
    } else if (char === '\\' && index + 1 < glob.length) {
      index += 1;
      out += escapeRegExp(glob[index] ?? '');
    } else {
      out += escapeRegExp(char);
    }
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
