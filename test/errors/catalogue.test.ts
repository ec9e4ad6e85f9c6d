import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/errors/catalogue.js';
import { BentoctlError, EXIT_CODES } from '../../src/errors/index.js';
import { repoRoot } from '../helpers/run-cli.js';

/** Rows of the table in docs/errors.md: `| CODE | kind | what | fix |`. */
function documentedCodes(): Map<string, string> {
  const rows = readFileSync(join(repoRoot, 'docs', 'errors.md'), 'utf8')
    .split('\n')
    .map((line) => /^\|\s*([A-Z][A-Z0-9_]+)\s*\|\s*(\w+)\s*\|/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null);
  return new Map(rows.map((match) => [match[1] ?? '', match[2] ?? '']));
}

describe('the error catalogue', () => {
  it('GIVEN docs/errors.md THEN it lists exactly the codes of the catalogue, with their kind', () => {
    const documented = documentedCodes();
    const catalogued = new Map(
      Object.entries(ERROR_CATALOGUE).map(([code, entry]) => [code, entry.kind as string]),
    );
    expect([...documented.keys()].sort()).toEqual([...catalogued.keys()].sort());
    for (const [code, kind] of catalogued) expect(documented.get(code), code).toBe(kind);
  });

  it('GIVEN each kind THEN its exit status is distinct and non-zero', () => {
    const statuses = Object.values(EXIT_CODES);
    expect(new Set(statuses).size).toBe(statuses.length);
    for (const status of statuses) expect(status).toBeGreaterThan(0);
    expect(new BentoctlError({ code: 'X', kind: 'external', message: 'm' }).exitCode).toBe(3);
  });
});
