// oclif writes the manifest's commands in the order their modules finished loading, which
// varies from run to run; sort them so the committed file only changes when a command does.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'oclif.manifest.json');
const manifest = JSON.parse(readFileSync(file, 'utf8'));
const commands = Object.fromEntries(
  Object.entries(manifest.commands).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
);
writeFileSync(file, `${JSON.stringify({ ...manifest, commands }, null, 2)}\n`);
