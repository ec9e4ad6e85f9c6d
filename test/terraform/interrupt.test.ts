/**
 * Ctrl-C and CI cancels during plan/apply, through the built CLI. With the real terraform on a
 * stack whose `local-exec` provisioner sleeps (the window to interrupt in): exit 130, a message
 * saying what was interrupted and what is true, a consistent state, no lock left, and an apply
 * that works afterwards. With a stand-in terraform that logs the signals it gets: a terminal's
 * Ctrl-C (SIGINT to the whole process group) reaches terraform once, and a second signal is
 * forwarded again.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, cliBin, runCli, startCli, type CliResult } from '../helpers/run-cli.js';
import { findTerraformForTests } from './helpers/terraform-available.js';
import { createWorkspace, DEFAULT_SHAPE, type Workspace } from './helpers/workspace.js';

const binary = await findTerraformForTests();
const hasScript = spawnSync('script', ['--version']).status === 0;

async function waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** A service whose creation runs a provisioner that marks its start, then sleeps $SLEEP s. */
function slowStack(marker: string, endpoint: string): Record<string, unknown> {
  return {
    resource: {
      terraform_data: {
        slow: {
          input: 'v1',
          provisioner: [{ 'local-exec': { command: `touch ${marker}; sleep $\${SLEEP:-0}` } }],
        },
      },
    },
    output: { endpoint: { value: endpoint } },
  };
}

describe.skipIf(binary === undefined)('interrupting plan/apply with the real terraform', () => {
  let workspace: Workspace;
  let marker: string;
  let stateFile: string;
  let stateLock: string;

  beforeAll(() => {
    assertCliBuilt();
    workspace = createWorkspace('intr-svc');
    marker = join(workspace.dir, 'provisioner-started');
    stateFile = join(workspace.paths.stack, 'terraform.tfstate');
    stateLock = join(workspace.paths.stack, '.terraform.tfstate.lock.info');
    mkdirSync(workspace.paths.stack, { recursive: true });
    writeFileSync(
      join(workspace.paths.stack, 'main.tf.json'),
      JSON.stringify(slowStack(marker, DEFAULT_SHAPE.endpoint)),
    );
  });
  afterAll(() => workspace?.remove());

  /** Starts `apply` without a terminal (CI), waits for the provisioner, sends `signal`. */
  async function interruptApply(signal: NodeJS.Signals): Promise<CliResult> {
    rmSync(marker, { force: true });
    const { child, exited } = startCli(['apply', '--no-generate', '--auto-approve', '--no-wait'], {
      cwd: workspace.dir,
      env: { ...workspace.env, CI: 'true', SLEEP: '60' },
    });
    await waitFor(() => existsSync(marker), 'the provisioner to start');
    child.kill(signal);
    return exited;
  }

  it.skipIf(!hasScript)(
    'GIVEN the apply confirmation on a terminal WHEN Ctrl-C is typed THEN it prints Cancelled, changes nothing and exits 130',
    async () => {
      const child = spawn(
        'script',
        ['-q', '-e', '-c', `${process.execPath} ${cliBin} apply --no-generate`, '/dev/null'],
        { cwd: workspace.dir, env: { ...workspace.env, NO_COLOR: '1', TERM: 'xterm' } },
      );
      let screen = '';
      let typed = false;
      child.stdout.on('data', (chunk: Buffer) => {
        screen += chunk.toString();
        if (!typed && screen.includes('Apply these changes to intr-svc?')) {
          typed = true;
          setTimeout(() => child.stdin.write('\u0003'), 150);
        }
      });
      const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      clearTimeout(killer);

      expect(code, screen.slice(-1500)).toBe(130);
      expect(screen).toContain('Cancelled at the prompt; nothing was changed.');
      expect(screen).not.toContain('INTERNAL');
      expect(existsSync(workspace.paths.lock)).toBe(false);
      expect(existsSync(marker)).toBe(false);
    },
    90_000,
  );

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'GIVEN an apply in progress WHEN bentoctl gets %s THEN terraform stops gracefully, every lock is released and it exits 130',
    async (signal) => {
      const result = await interruptApply(signal);

      expect(result.status, result.stderr).toBe(130);
      expect(result.stderr).toContain(
        `Interrupted terraform apply of intr-svc (${signal}); terraform stopped gracefully; terraform's state lock is released; the deployment lock is released.`,
      );
      // Captured (no terminal), terraform's own account of the stop is shown.
      expect(result.stderr).toContain('Gracefully shutting down...');
      expect(result.stderr).not.toContain('Two interrupts received');
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { resources: unknown[] };
      expect(Array.isArray(state.resources)).toBe(true);
      expect(existsSync(stateLock)).toBe(false);
      expect(existsSync(workspace.paths.lock)).toBe(false);
    },
    90_000,
  );

  it('GIVEN the interrupted applies WHEN applied again THEN it completes and the service is in the state', async () => {
    const result = await runCli(['apply', '--no-generate', '--auto-approve', '--no-wait'], {
      cwd: workspace.dir,
      env: { ...workspace.env, CI: 'true', SLEEP: '0' },
    });

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('Applied intr-svc.');
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as {
      resources: { name: string; instances: { status?: string }[] }[];
    };
    const slow = state.resources.find((resource) => resource.name === 'slow');
    expect(slow?.instances).toHaveLength(1);
    expect(slow?.instances[0]?.status).toBeUndefined();
  }, 90_000);
});

/**
 * Answers `version`, succeeds at `init`, answers `output -json` with no outputs (an empty
 * state, read before planning for the release history), and in `plan` writes its process group and its
 * parent's, then logs each SIGINT/SIGTERM it gets: the first starts a two-second "graceful
 * stop", a second one ends it at once, as terraform does. Node, not sh: a shell runs traps
 * between commands, so two signals close together read as one.
 */
const FAKE_TERRAFORM = `#!${process.execPath}
const { appendFileSync, writeFileSync } = require('node:fs');
const command = process.argv[2];
if (command === 'version') {
  console.log(JSON.stringify({ terraform_version: '1.11.4', platform: 'linux_amd64' }));
  process.exit(0);
}
if (command === 'init') process.exit(0);
if (command === 'output') {
  console.log('{}');
  process.exit(0);
}
const { readFileSync } = require('node:fs');
const group = (pid) => readFileSync('/proc/' + pid + '/stat', 'utf8').split(') ')[1].split(' ')[2];
writeFileSync(process.env.FAKE_TF_LOG + '.groups', group(process.pid) + ' ' + group(process.ppid));
const log = process.env.FAKE_TF_LOG;
writeFileSync(log, '');
let received = 0;
const onSignal = (signal) => {
  received += 1;
  appendFileSync(log, signal + '\\n');
  if (received >= 2) {
    console.error('stopping now');
    process.exit(1);
  }
  setTimeout(() => {
    console.error('stopped gracefully');
    process.exit(1);
  }, 2000);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
setTimeout(() => process.exit(1), 30000);
`;

describe('signals reaching terraform', () => {
  let workspace: Workspace;
  let log: string;
  let env: Record<string, string | undefined>;

  beforeAll(() => {
    assertCliBuilt();
    workspace = createWorkspace('sig-svc');
    workspace.writeStack(DEFAULT_SHAPE);
    const fake = join(workspace.dir, 'fake-terraform');
    writeFileSync(fake, FAKE_TERRAFORM);
    chmodSync(fake, 0o755);
    log = join(workspace.dir, 'signals.log');
    env = { ...workspace.env, CI: 'true', TERRAFORM_BIN: fake, FAKE_TF_LOG: log };
  });
  afterAll(() => workspace?.remove());

  const logged = () =>
    existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];

  it("GIVEN a terminal's Ctrl-C (SIGINT to bentoctl's whole process group) THEN terraform gets it exactly once", async () => {
    rmSync(log, { force: true });
    const { child, exited } = startCli(['plan', '--no-generate'], {
      cwd: workspace.dir,
      env,
      detached: true,
    });
    await waitFor(() => existsSync(log), 'terraform plan to start');
    process.kill(-(child.pid ?? 0), 'SIGINT');
    const result = await exited;

    // Signals do not queue: had terraform been in the group, the terminal's SIGINT and the one
    // forwarded could merge into one delivery or count as two ("exit immediately"), depending on
    // timing. Only a separate group makes "exactly once" certain, so that is checked too.
    const [own, parent] = readFileSync(`${log}.groups`, 'utf8').split(' ');
    expect(own).not.toBe(parent);
    expect(logged()).toEqual(['SIGINT']);
    expect(result.status, result.stderr).toBe(130);
    expect(result.stderr).toContain(
      'Interrupted terraform plan of sig-svc (SIGINT); terraform stopped gracefully;',
    );
    expect(existsSync(workspace.paths.lock)).toBe(false);
  }, 60_000);

  it('GIVEN a signal and then a second one THEN each is forwarded and the message says terraform exited at once', async () => {
    rmSync(log, { force: true });
    const { child, exited } = startCli(['plan', '--no-generate'], { cwd: workspace.dir, env });
    await waitFor(() => existsSync(log), 'terraform plan to start');
    child.kill('SIGTERM');
    await waitFor(() => logged().length === 1, 'the first signal to reach terraform');
    child.kill('SIGINT');
    const result = await exited;

    expect(logged()).toEqual(['SIGTERM', 'SIGINT']);
    expect(result.status, result.stderr).toBe(130);
    expect(result.stderr).toContain(
      'Interrupted terraform plan of sig-svc (SIGTERM); terraform got 2 signals and exited at once',
    );
    expect(result.stderr).toContain('stopping now');
    expect(result.stderr).toContain('terraform force-unlock');
  }, 60_000);
});
