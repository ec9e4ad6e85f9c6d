import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { requireCjs } from '../../src/targets/require-cjs.js';

describe('requireCjs', () => {
  it('GIVEN cdktf WHEN loaded THEN archiver is a stand-in that loads the real module on first call', () => {
    const fromCdktf = createRequire(
      createRequire(import.meta.url).resolve('cdktf/lib/private/fs.js'),
    );
    const file = fromCdktf.resolve('archiver');
    requireCjs<typeof import('cdktf')>('cdktf');
    const standIn = fromCdktf(file) as (format: string, options?: object) => { pipe: unknown };
    // Nothing below archiver was loaded: the stand-in is a plain function of ours.
    expect(standIn.name).toBe('standIn');

    // The real archiver answers the call cdktf makes (an archive object for "zip"), and from
    // then on the module cache holds the real module.
    const archive = standIn('zip', { zlib: { level: 9 } });
    expect(typeof archive.pipe).toBe('function');
    expect((fromCdktf(file) as { name: string }).name).not.toBe('standIn');
  });
});
