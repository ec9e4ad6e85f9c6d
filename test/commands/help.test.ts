import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/run-cli.js';

interface ManifestCommand {
  summary?: string;
  description?: string;
  examples?: string[];
  pluginType: string;
  flags: Record<string, { char?: string; allowNo?: boolean }>;
}

/** The flags an example line passes to its own command (not to a command chained after `&&`). */
function exampleFlags(example: string): string[] {
  const own = example.split(/&&|\|/)[0] ?? '';
  return [...own.matchAll(/(?:^|\s)(--?[a-z][a-z0-9-]*)/g)].map((match) => match[1] ?? '');
}

const manifest = JSON.parse(readFileSync(join(repoRoot, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, ManifestCommand>;
};

describe('help', () => {
  it('GIVEN the manifest THEN every bentoctl command has a summary, a description and examples', () => {
    const ours = Object.entries(manifest.commands);
    expect(ours.length).toBeGreaterThanOrEqual(4);
    for (const [id, command] of ours) {
      expect(command.summary, id).toBeTruthy();
      expect(command.description, id).toBeTruthy();
      expect(command.examples?.length, id).toBeGreaterThan(0);
    }
  });

  it('GIVEN every example THEN each flag it shows exists on its command', () => {
    for (const [id, command] of Object.entries(manifest.commands)) {
      const names = new Set<string>(['--help']);
      for (const [name, flag] of Object.entries(command.flags)) {
        names.add(`--${name}`);
        if (flag.char !== undefined) names.add(`-${flag.char}`);
        if (flag.allowNo === true) names.add(`--no-${name}`);
      }
      for (const example of command.examples ?? [])
        for (const flag of exampleFlags(example))
          expect(names, `${id}: ${example}`).toContain(flag);
    }
  });

  it('GIVEN --help and --version THEN both answer with exit 0', async () => {
    const help = await runCli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('validate');
    expect(help.stdout).toContain('targets');
    const version = await runCli(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^bentoctl\/\d+\.\d+\.\d+/);
  });

  it('GIVEN help for a command THEN its examples are shown', async () => {
    const result = await runCli(['init', '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('EXAMPLES');
    expect(result.stdout).toContain('--set');
  });

  it('GIVEN an unknown command THEN exit non-zero', async () => {
    const result = await runCli(['deploy-it']);
    expect(result.status).not.toBe(0);
  });
});
