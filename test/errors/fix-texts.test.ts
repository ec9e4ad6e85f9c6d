/**
 * Every fix text that tells the user to run a bentoctl command names a command that exists,
 * with flags that exist on it: a fix that cannot be followed is worse than none. The commands
 * and flags come from the generated oclif manifest, so a renamed or removed flag fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/errors/catalogue.js';
import { repoRoot } from '../helpers/run-cli.js';

interface ManifestCommand {
  readonly flags: Readonly<Record<string, { readonly char?: string; readonly allowNo?: boolean }>>;
}

const manifest = JSON.parse(readFileSync(join(repoRoot, 'oclif.manifest.json'), 'utf8')) as {
  commands: Readonly<Record<string, ManifestCommand>>;
};
const GLOBAL_FLAGS = new Set(['--help', '-h']);

/** `bentoctl <words...> <args> --flags` inside backticks. */
function suggestedCommands(text: string): string[] {
  return [...text.matchAll(/`(bentoctl [^`]+)`/g)].map((match) => match[1] ?? '');
}

/** The longest leading run of words that is a command id (`targets show`). */
function commandOf(words: readonly string[]): { id: string; rest: string[] } | undefined {
  for (let n = words.length; n > 0; n--) {
    const id = words.slice(0, n).join(':');
    if (manifest.commands[id] !== undefined) return { id, rest: words.slice(n) };
  }
  return undefined;
}

function unknownFlags(id: string, tokens: readonly string[]): string[] {
  const command = manifest.commands[id];
  if (command === undefined) return [];
  const known = new Set<string>(GLOBAL_FLAGS);
  for (const [name, flag] of Object.entries(command.flags)) {
    known.add(`--${name}`);
    if (flag.allowNo === true) known.add(`--no-${name}`);
    if (flag.char !== undefined) known.add(`-${flag.char}`);
  }
  return tokens
    .filter((token) => token.startsWith('-'))
    .map((token) => token.split('=')[0] ?? token)
    .filter((flag) => !known.has(flag));
}

const fixes = Object.entries(ERROR_CATALOGUE).flatMap(([code, entry]) =>
  suggestedCommands(entry.fix).map((command) => ({ code, command })),
);

describe('fix texts that suggest a command', () => {
  it('GIVEN the catalogue THEN some fixes suggest commands (the check is not vacuous)', () => {
    expect(fixes.length).toBeGreaterThan(10);
  });

  it.each(fixes)('GIVEN $code THEN `$command` exists with those flags', ({ command }) => {
    const words = command.split(/\s+/).slice(1);
    const leading = words.filter((word, i) => words.slice(0, i + 1).every((w) => /^[a-z]/.test(w)));
    const found = commandOf(leading);
    expect(found, `no command in: ${command}`).toBeDefined();
    if (found === undefined) return;
    expect(unknownFlags(found.id, words.slice(found.id.split(':').length))).toEqual([]);
  });
});
