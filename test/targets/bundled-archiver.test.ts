import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// cdktf requires `archiver` at start-up for a zip helper bentoctl never calls; the command
// bundles replace it with a stand-in that loads the real one on first call (80-90 ms saved per
// generate, scripts/bundle-commands.js). This checks the built bundles (`npm run build`).
const chunks = join(import.meta.dirname, '..', '..', 'dist', 'chunks');

describe('bundled cdktf', () => {
  it('GIVEN the built command bundles WHEN cdktf is inside THEN archiver is the lazy stand-in, not the real module', () => {
    const texts = readdirSync(chunks)
      .filter((file) => file.endsWith('.js'))
      .map((file) => readFileSync(join(chunks, file), 'utf8'));
    const withCdktf = texts.filter((text) => text.includes('cdktf/lib/private/fs.js'));
    expect(withCdktf.length).toBeGreaterThan(0);
    expect(texts.some((text) => text.includes('module.exports = function archiver('))).toBe(true);
    // archiver's own implementation (and glob/readable-stream under it) stays out of the bundles.
    expect(texts.some((text) => text.includes('ArchiverError'))).toBe(false);
  });
});
