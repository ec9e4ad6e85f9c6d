/** `bentoctl bento build|list` and `bentoctl serve`, run as users run them (needs `npm run build`). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/run-cli.js';

describe('bentoctl bento build / list', () => {
  it('GIVEN examples/iris WHEN built with --json THEN it is stored and listed as service:version', async () => {
    const home = mkdtempSync(join(tmpdir(), 'bentoctl-home-'));
    const built = await runCli(['bento', 'build', 'examples/iris', '--json'], {
      env: { BENTOCTL_HOME: home },
    });
    expect(built.status, built.stderr).toBe(0);
    const result = JSON.parse(built.stdout) as {
      reference: string;
      created: boolean;
      path: string;
    };
    expect(result.reference).toMatch(/^iris_classifier:[0-9a-f]{16}$/);
    expect(result.created).toBe(true);
    expect(result.path.startsWith(join(home, 'bentos', 'iris_classifier'))).toBe(true);
    const listed = await runCli(['bento', 'list'], { env: { BENTOCTL_HOME: home } });
    expect(listed.stdout).toContain(result.reference);
  });

  it('GIVEN a folder that does not exist WHEN built THEN exit 2 says so, citing no bento.yaml line', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'bentoctl-none-')), 'nothing');
    const built = await runCli(['bento', 'build', missing]);
    expect(built.status).toBe(2);
    expect(built.stderr).toContain('Error [BENTO_DIR_NOT_FOUND]');
    expect(built.stderr).toContain(`There is no folder at ${missing}`);
    expect(built.stderr).not.toContain('bento.yaml:1:1');
  });

  it('GIVEN a bento with a bad field WHEN built THEN exit 2 and file:line:column with the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bentoctl-bad-'));
    await import('node:fs').then(({ writeFileSync }) =>
      writeFileSync(
        join(dir, 'bento.yaml'),
        'service: s\nmodels:\n  - name: m\n    path: missing.onnx\napis:\n  - name: a\n    model: m\n',
      ),
    );
    const built = await runCli(['bento', 'build', dir], {
      env: { BENTOCTL_HOME: mkdtempSync(join(tmpdir(), 'bentoctl-home-')) },
    });
    expect(built.status).toBe(2);
    expect(built.stderr).toContain('Error [BENTO_INVALID]');
    expect(built.stderr).toContain(`${join(dir, 'bento.yaml')}:4:11  models[0].path:`);
  });
});

describe('bentoctl serve', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'GIVEN examples/iris WHEN served on port 0 THEN it prints the URL, answers, and stops cleanly on %s',
    async (signal) => {
      const { child } = startCli(['serve', 'examples/iris', '--port', '0', '--log-level', 'warn'], {
        timeoutMs: 45_000,
      });
      let stdout = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (match && stdout.includes('Ready:')) resolve(match[1] ?? '');
        });
        child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stdout}`)));
      });
      const response = await fetch(`${url}/classify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: [[6.5, 3.0, 5.5, 2.0]] }),
      });
      expect(((await response.json()) as { label: number[] }).label).toEqual([2]);
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill(signal);
      expect(await exited).toBe(0);
      expect(stdout).toContain('Stopped.');
    },
  );
});

describe('bentoctl serve --json', () => {
  it('GIVEN --json WHEN ready THEN stdout is one JSON line with the URL and version, logs go to stderr', async () => {
    const { child } = startCli(['serve', 'examples/iris', '--port', '0', '--json'], {
      timeoutMs: 45_000,
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const ready = await new Promise<{
      event: string;
      url: string;
      version: string;
      apis: string[];
    }>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) resolve(JSON.parse(stdout.split('\n')[0] ?? '') as never);
      });
      child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stdout}${stderr}`)));
    });
    expect(ready).toMatchObject({
      event: 'ready',
      version: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    const response = await fetch(ready.apis[0] ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: [[6.5, 3.0, 5.5, 2.0]] }),
    });
    expect(response.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // Nothing but the ready line on stdout, before or after the shutdown.
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain('"severity":"INFO"');
  });
});

describe('bentoctl serve on a busy port', () => {
  it('GIVEN the port is taken WHEN serve starts THEN exit 2 PORT_IN_USE, and the fix names --port', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    // Below the ephemeral range, so no client socket can hold it by chance.
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    await new Promise<void>((resolve, reject) => {
      blocker.once('error', reject);
      blocker.listen(port, '127.0.0.1', resolve);
    });
    try {
      const served = await runCli(['serve', 'examples/iris', '--port', String(port)]);
      expect(served.status).toBe(2);
      expect(served.stderr).toContain('Error [PORT_IN_USE]');
      expect(served.stderr).toContain(`127.0.0.1:${port}`);
      expect(served.stderr).toContain('--port <port>');
    } finally {
      blocker.close();
    }
  });
});
