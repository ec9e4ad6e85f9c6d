/**
 * How a command opens a deployment run: the config, its paths, a checked terraform that streams
 * on a terminal and captures otherwise, the stack writer and, for the commands that change
 * something (apply, rollback, destroy), the go-ahead that shows the plan and asks.
 */
import { deploymentPathsOf } from '../config/deployment-paths.js';
import type { SignalSource } from '../terraform/runner.js';
import { renderPlanText } from '../terraform/render-plan-text.js';
import type { StackWriter } from '../terraform/stack-writer.js';
import { imageFlag } from '../targets/image-reference.js';
import type { StackLifecycle } from '../targets/synthesizer.js';
import { createTerraform } from '../terraform/terraform.js';
import { approvalFor, isInteractive, shouldStream } from './approval.js';
import type { Approval, DeploymentRun, RunCommand } from './deployment-run.js';
import { generatedStackWriter } from './generated-stack.js';

export interface OpenRunOptions {
  readonly configFile: string;
  /** Stream terraform's output (a terminal, and not --json). */
  readonly stream: boolean;
  /** Use the stack already generated instead of generating it. @default false */
  readonly skipGenerate?: boolean;
  /** Image for generate instead of the build record's: `repository[:tag][@sha256:...]`. */
  readonly image?: string;
  /** The shape generate renders (terminate, restore). @default - running */
  readonly lifecycle?: StackLifecycle;
  /** @default generate's writer */
  readonly writeStack?: StackWriter;
  readonly progress: (line: string) => void;
  /** Signals to forward to terraform and report on. @default none */
  readonly interrupts?: SignalSource;
  /** The command opening the run, named in its refusals. @default 'apply' */
  readonly command?: RunCommand;
}

export async function openRun(options: OpenRunOptions): Promise<DeploymentRun> {
  // A malformed --image is the user's to fix before terraform or the config is looked at.
  if (options.image !== undefined) imageFlag(options.image);
  // The version check runs `terraform version` in a child process; loading the config schemas
  // meanwhile takes it off the critical path (about 50 ms of every command).
  const terraform = createTerraform({ stream: options.stream, interrupts: options.interrupts });
  terraform.catch(() => undefined); // a config error is reported first; this one is awaited below
  const { loadConfig } = await import('../config/load.js');
  const config = loadConfig(options.configFile);
  return {
    config,
    paths: deploymentPathsOf(config),
    terraform: await terraform,
    writeStack:
      options.skipGenerate === true
        ? undefined
        : (options.writeStack ?? generatedStackWriter(options.image, options.lifecycle)),
    progress: options.progress,
    interrupts: options.interrupts,
    ...(options.command === undefined ? {} : { command: options.command }),
  };
}

/** The commands that change a deployment after showing its plan. */
export type ChangingCommand = 'apply' | 'rollback' | 'terminate' | 'restore' | 'destroy';

/** The signals a run stops on, and what it names as running when one comes (cli/interrupts.ts). */
export interface RunInterrupts extends SignalSource {
  doing(activity: string, notes?: readonly string[]): void;
}

export interface OpenDeploymentRunOptions {
  readonly command: ChangingCommand;
  readonly configFile: string;
  /** `--json`: terraform's output is captured, nobody is asked, progress is not shown. */
  readonly json: boolean;
  /** `--auto-approve`; without it and without a terminal the run stops before any terraform step. */
  readonly autoApprove: boolean;
  /** Use the stack already generated. @default false */
  readonly skipGenerate?: boolean;
  /** `--image`: the image generate pins instead of the build record's. @default - the record's */
  readonly image?: string;
  /** Progress lines (stderr). */
  readonly progress: (line: string) => void;
  /** Result lines (stdout): the plan shown for review, the outcome. */
  readonly log: (line: string) => void;
  readonly interrupts: RunInterrupts;
}

/** A run opened for apply, rollback or destroy, with what the later steps report through. */
export interface OpenedRun {
  readonly run: DeploymentRun;
  readonly approval: Approval;
  readonly command: ChangingCommand;
  readonly configFile: string;
  /** The `--image` given, if any. */
  readonly image: string | undefined;
  /** Terraform's output streams (see shouldStream). */
  readonly stream: boolean;
  readonly log: (line: string) => void;
  readonly interrupts: RunInterrupts;
}

const REVIEW_TITLES: Readonly<Record<ChangingCommand, string>> = {
  apply: 'Plan',
  rollback: 'Rollback plan',
  terminate: 'Terminate plan',
  restore: 'Restore plan',
  destroy: 'Destroy plan',
};

/**
 * openRun, then the approval (CONFIRMATION_REQUIRED at once when nobody can approve), with the
 * plan shown as text on `log` before anything changes.
 */
export async function openDeploymentRun(options: OpenDeploymentRunOptions): Promise<OpenedRun> {
  const { command, interrupts, json, log } = options;
  const stream = shouldStream(json);
  const run = await openRun({
    configFile: options.configFile,
    stream,
    skipGenerate: options.skipGenerate,
    image: options.image,
    progress: options.progress,
    interrupts,
    command,
  });
  const { config } = run;
  const approval = approvalFor({
    command,
    deployment: config.name,
    autoApprove: options.autoApprove,
    interactive: isInteractive(json),
    signal: interrupts.signal,
    review: (summary) =>
      log(
        renderPlanText(summary, `${REVIEW_TITLES[command]} for ${config.name} (${config.target})`),
      ),
  });
  interrupts.doing(`${command} of ${config.name}`);
  return {
    run,
    approval,
    command,
    configFile: options.configFile,
    image: options.image,
    stream,
    log,
    interrupts,
  };
}
