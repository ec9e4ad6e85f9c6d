import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HTTP_ERROR_CATALOGUE } from '../../src/runtime/http-errors.js';
import { repoRoot } from '../helpers/run-cli.js';

/** Rows of the error table in docs/runtime.md: `| CODE | status | meaning | fix |`. */
function documentedCodes(): Map<string, number> {
  const text = readFileSync(join(repoRoot, 'docs', 'runtime.md'), 'utf8');
  const section = text.slice(text.indexOf('## Error codes'));
  const codes = new Map<string, number>();
  for (const match of section.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|/gm))
    codes.set(match[1] ?? '', Number(match[2]));
  return codes;
}

describe('docs/runtime.md error codes', () => {
  it('GIVEN the runtime error catalogue THEN docs list exactly its codes with the same status', () => {
    const documented = documentedCodes();
    const catalogue = new Map(
      Object.entries(HTTP_ERROR_CATALOGUE).map(([code, entry]) => [code, entry.status]),
    );
    expect([...documented.keys()].sort()).toEqual([...catalogue.keys()].sort());
    for (const [code, status] of catalogue) expect(documented.get(code), code).toBe(status);
  });
});
