/**
 * `bentoctl init` with a real terminal: util-linux `script` gives the CLI a pseudo-terminal,
 * and the test answers each prompt when it appears, as a person would.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { makeBentoWorkspace } from '../helpers/bento-fixture.js';
import { repoRoot } from '../helpers/run-cli.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
const DOWN = '\u001b[B';
const ENTER = '\r';

/** Waits for each prompt's text, then types the answer; resolves with the exit code. */
function answerPrompts(
  cwd: string,
  steps: readonly (readonly [string, string])[],
): Promise<{ code: number | null; screen: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'script',
      [
        '-q',
        '-e',
        '-c',
        `${process.execPath} ${join(repoRoot, 'bin', 'run.js')} init`,
        '/dev/null',
      ],
      {
        cwd,
        env: { ...process.env, NO_COLOR: '1', TERM: 'xterm' },
      },
    );
    let screen = '';
    let step = 0;
    let searchFrom = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`no prompt "${steps[step]?.[0]}" within 30 s; screen:\n${screen.slice(-2000)}`),
      );
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString();
      const current = steps[step];
      if (current === undefined) return;
      const at = screen.indexOf(current[0], searchFrom);
      if (at >= 0) {
        searchFrom = at + current[0].length;
        step += 1;
        // Give the prompt a moment to finish drawing before typing.
        setTimeout(() => child.stdin.write(current[1]), 150);
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    });
  });
}

describe.skipIf(!hasScript)('bentoctl init with a terminal', () => {
  it('GIVEN a person answering the prompts THEN the config holds their answers and validates', async () => {
    const cwd = makeBentoWorkspace();
    const { code, screen } = await answerPrompts(cwd, [
      ['Deployment target', `${DOWN}${ENTER}`],
      ['Bento', ENTER],
      ['Deployment name', `iris-eu${ENTER}`],
      ['project:', `my-ml-project${ENTER}`],
      // A search prompt: type, wait until the filtered list highlights the region, then pick it.
      ['region:', 'europe-west4'],
      ['\u276f europe-west4', ENTER],
      ['cpu:', `2${ENTER}`],
      ['memory:', ENTER],
      ['min_instances:', ENTER],
      ['max_instances:', `8${ENTER}`],
    ]);
    expect(code, screen.slice(-1500)).toBe(0);
    const file = join(cwd, 'deployment_config.yaml');
    expect(readFileSync(file, 'utf8')).toContain('target: google-cloud-run');
    const config = loadConfig(file, { env: {} });
    expect(config.name).toBe('iris-eu');
    expect(config.spec).toMatchObject({
      project: 'my-ml-project',
      region: 'europe-west4',
      cpu: 2,
      memory: 2048,
      min_instances: 0,
      max_instances: 8,
    });
  }, 60_000);

  it('GIVEN an answer that breaks a cloud rule THEN it is asked again at once, and a cleared number takes the default', async () => {
    const cwd = makeBentoWorkspace();
    const BACKSPACE = '\u007f';
    const { code, screen } = await answerPrompts(cwd, [
      ['Deployment target', `${DOWN}${ENTER}`],
      ['Bento', ENTER],
      ['Deployment name', `iris-eu${ENTER}`],
      ['project:', `my-ml-project${ENTER}`],
      ['region:', 'europe-west4'],
      ['\u276f europe-west4', ENTER],
      // Cloud Run has no 3-cpu size: said under the prompt, before the next question.
      ['cpu:', `3${ENTER}`],
      ['fractional cpu only up to 1', `${BACKSPACE}2${ENTER}`],
      // Clearing the default (2048) and pressing enter keeps the default.
      ['memory:', `${BACKSPACE.repeat(6)}${ENTER}`],
      ['min_instances:', `${BACKSPACE}5${ENTER}`],
      ['max_instances:', `${BACKSPACE.repeat(3)}2${ENTER}`],
      ['larger than max_instances', `${BACKSPACE}9${ENTER}`],
    ]);
    expect(code, screen.slice(-1500)).toBe(0);
    const config = loadConfig(join(cwd, 'deployment_config.yaml'), { env: {} });
    expect(config.spec).toMatchObject({ cpu: 2, memory: 2048, min_instances: 5, max_instances: 9 });
  }, 60_000);
});
