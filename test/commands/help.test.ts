import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/run-cli.js';

interface ManifestCommand {
  summary?: string;
  description?: string;
  examples?: string[];
  pluginType: string;
  flags: Record<
    string,
    { char?: string; allowNo?: boolean; summary?: string; description?: string }
  >;
}

/**
 * The lines of `text` that are hard-wrapped: oclif wraps each paragraph to the terminal itself,
 * so a newline inside a paragraph (anything but a blank line between paragraphs) comes out as a
 * short ragged line at every width but the one it was written for.
 */
function hardWrapped(text: string | undefined): string[] {
  return (text ?? '').split('\n\n').filter((paragraph) => paragraph.includes('\n'));
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

  it('GIVEN every description and flag text THEN it is paragraphs, not hard-wrapped lines', () => {
    const wrapped: string[] = [];
    for (const [id, command] of Object.entries(manifest.commands)) {
      for (const paragraph of [
        ...hardWrapped(command.summary),
        ...hardWrapped(command.description),
      ])
        wrapped.push(`${id}: ${paragraph.slice(0, 60)}...`);
      for (const [name, flag] of Object.entries(command.flags))
        for (const paragraph of [...hardWrapped(flag.summary), ...hardWrapped(flag.description)])
          wrapped.push(`${id} --${name}: ${paragraph.slice(0, 60)}...`);
    }
    expect(wrapped).toEqual([]);
  });

  it('GIVEN a long description THEN --help wraps it to the terminal width, no ragged short lines', async () => {
    const result = await runCli(['apply', '--help'], { env: { COLUMNS: '100' } });
    expect(result.status).toBe(0);
    const description = result.stdout.split('DESCRIPTION\n')[1]?.split('\nEXAMPLES')[0] ?? '';
    const lines = description.split('\n');
    // Every line but a paragraph's last reaches most of the width: oclif filled it.
    const ragged = lines.filter(
      (line, index) =>
        line.trim() !== '' && (lines[index + 1] ?? '').trim() !== '' && line.length < 60,
    );
    expect(description.length).toBeGreaterThan(200);
    expect(ragged).toEqual([]);
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
