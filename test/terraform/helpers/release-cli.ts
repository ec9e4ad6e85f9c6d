/**
 * The built CLI as a GitHub Actions step runs it against a workspace (CI=true,
 * GITHUB_ACTIONS=true, so the release history records the run), with `release status --json`
 * parsed: the calls the release CLI suites make on their two folders.
 */
import { expect } from 'vitest';
import { runCli, type CliResult } from '../../helpers/run-cli.js';
import type { Workspace } from './workspace.js';

type Env = Record<string, string | undefined>;

export interface ReleaseCliOptions {
  /** The environment before the CI variables are added. @default the workspace's env */
  readonly baseEnv?: (from: Workspace) => Env;
  /** Passed to runCli. @default runCli's */
  readonly timeoutMs?: number;
}

export interface ReleaseCli<TStatus> {
  /** The environment of a CI step in `from`. */
  env(from: Workspace): Env;
  /** Runs `bentoctl ...args` in `from`. */
  cli(from: Workspace, ...args: string[]): Promise<CliResult>;
  /** `release status --json` in `from`, expected to exit 0, parsed. */
  status(from: Workspace): Promise<TStatus>;
  /** `plan --no-generate --detailed-exitcode` in `from` exits 0: the state matches the config. */
  expectNoChanges(from: Workspace): Promise<void>;
}

/** The CLI bound to workspaces as a CI step; `TStatus` is the suite's view of the status JSON. */
export function releaseCli<TStatus>(options: ReleaseCliOptions = {}): ReleaseCli<TStatus> {
  const env = (from: Workspace): Env => ({
    ...(options.baseEnv?.(from) ?? from.env),
    CI: 'true',
    GITHUB_ACTIONS: 'true',
  });
  const cli = (from: Workspace, ...args: string[]) =>
    runCli(args, {
      cwd: from.dir,
      env: env(from),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  const status = async (from: Workspace): Promise<TStatus> => {
    const result = await cli(from, 'release', 'status', '--json');
    expect(result.status, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as TStatus;
  };
  const expectNoChanges = async (from: Workspace): Promise<void> => {
    const again = await cli(from, 'plan', '--no-generate', '--detailed-exitcode');
    expect(again.status, again.stdout).toBe(0);
  };
  return { env, cli, status, expectNoChanges };
}
