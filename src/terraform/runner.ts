/**
 * Runs one terraform command. On a terminal its output streams live (an apply can take minutes
 * and people want to see it); elsewhere (CI, --json) it is captured and shown only when the
 * command fails, as the tail of what terraform printed, with the failing step named.
 *
 * Interrupts: each SIGINT/SIGTERM bentoctl receives is forwarded to terraform, whose output
 * keeps streaming while the runner waits for it to exit. Terraform stops gracefully on the
 * first signal (it finishes or cancels the operations in flight, writes the state, releases
 * its state lock) and exits at once on the second, so a second Ctrl-C still means "stop now".
 */
import { spawn } from 'node:child_process';
import { errors, InterruptedError } from '../errors/index.js';
import type { TerraformBinary } from './binary.js';
import { terraformEnvironment } from './terraform-env.js';

/** The terraform commands bentoctl drives; errors name the one that failed. */
export const TERRAFORM_STEPS = [
  'init',
  'plan',
  'show',
  'apply',
  'output',
  'destroy',
  'state pull',
] as const;
export type TerraformStep = (typeof TERRAFORM_STEPS)[number];

/** Lines of terraform's output kept for an error message. */
const TAIL_LINES = 30;

/** The note of an InterruptedError raised before terraform ran: nothing of the step happened. */
export const TERRAFORM_NOT_STARTED = 'terraform was not started';

/** Where stop signals come from; `interruptible()` in src/cli provides one. */
export interface SignalSource {
  /** Aborted at the first signal, with the signal's name as reason. */
  readonly signal: AbortSignal;
  /** Calls `listener` for each signal; returns the function that stops it. */
  onSignal(listener: (signal: NodeJS.Signals) => void): () => void;
}

export interface TerraformRunnerOptions {
  readonly binary: TerraformBinary;
  /** Echo terraform's output as it runs. @default false - captured, shown on failure */
  readonly stream?: boolean;
  /** Where streamed output goes. @default process.stderr, so stdout stays clean for --json */
  readonly sink?: NodeJS.WritableStream;
  /** Environment before the automation variables are added. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Signals to forward to terraform. @default none: a signal ends bentoctl as Node does */
  readonly interrupts?: SignalSource;
}

export interface RunRequest {
  readonly step: TerraformStep;
  readonly args: readonly string[];
  /** The stack folder. */
  readonly cwd: string;
  /** stdout is data (show -json, output -json): keep it, never stream it. @default false */
  readonly stdoutIsData?: boolean;
  /** Exit codes that are not failures; `plan -detailed-exitcode` adds 2. @default [0] */
  readonly successCodes?: readonly number[];
}

export interface RunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class TerraformRunner {
  readonly binary: TerraformBinary;
  readonly streaming: boolean;
  private readonly sink: NodeJS.WritableStream;
  private readonly env: Record<string, string>;
  private readonly interrupts: SignalSource | undefined;
  private readonly options: TerraformRunnerOptions;

  constructor(options: TerraformRunnerOptions) {
    this.options = options;
    this.binary = options.binary;
    this.streaming = options.stream ?? false;
    this.sink = options.sink ?? process.stderr;
    this.env = terraformEnvironment(options.env);
    this.interrupts = options.interrupts;
  }

  /** The same runner with `variables` added to terraform's environment. */
  withEnv(variables: Readonly<Record<string, string>>): TerraformRunner {
    return new TerraformRunner({ ...this.options, env: { ...this.env, ...variables } });
  }

  /**
   * Runs `terraform <args>` in `cwd`; rejects with TERRAFORM_FAILED on any other exit code, and
   * with an InterruptedError when a signal stopped it (or came before it could start).
   */
  async run(request: RunRequest): Promise<RunResult> {
    const { interrupts } = this;
    if (interrupts?.signal.aborted === true) {
      throw errors.interrupted({
        activity: `terraform ${request.step}`,
        signal: String(interrupts.signal.reason),
        notes: [TERRAFORM_NOT_STARTED],
      });
    }
    const args = this.streaming ? [...request.args] : [...request.args, '-no-color'];
    const stdoutChunks: Buffer[] = [];
    const stderrChunks: Buffer[] = [];
    const child = spawn(this.binary.path, args, {
      cwd: request.cwd,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group (a new session, on POSIX). Ctrl-C in a terminal sends SIGINT to
      // every process of the foreground group: in ours, terraform would get the terminal's
      // SIGINT and then the one forwarded below, and terraform takes a second interrupt as
      // "exit immediately, data loss may have occurred". Apart, terraform receives exactly the
      // signals bentoctl forwards, one per signal bentoctl gets, whether it came from a
      // terminal, `kill <pid>` or a CI runner (which may signal only our pid). The price: when
      // bentoctl is SIGKILLed, terraform gets nothing and ends on its next write to the closed
      // pipe, as it did before; no signal reaches it that bentoctl did not see. Without a
      // signal source nothing would forward, so terraform then stays in the terminal's group.
      detached: interrupts !== undefined,
    });
    const forwarded: NodeJS.Signals[] = [];
    const stopForwarding = interrupts?.onSignal((signal) => {
      forwarded.push(signal);
      child.kill(signal);
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutChunks.push(chunk);
      if (this.streaming && request.stdoutIsData !== true) this.sink.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderrChunks.push(chunk);
      if (this.streaming) this.sink.write(chunk);
    });
    let exit: { code: number | null; signal: NodeJS.Signals | null };
    try {
      exit = await new Promise((resolve, reject) => {
        child.once('error', (cause) =>
          reject(
            errors.terraformFailed(
              request.step,
              `${this.binary.path} could not start: ${cause.message}`,
              '',
            ),
          ),
        );
        child.once('close', (code, signal) => resolve({ code, signal }));
      });
    } finally {
      stopForwarding?.();
    }
    const exitCode = exit.code ?? (exit.signal === null ? 1 : 128);
    const result = {
      exitCode,
      stdout: Buffer.concat(stdoutChunks).toString('utf8'),
      stderr: Buffer.concat(stderrChunks).toString('utf8'),
    };
    const succeeded = (request.successCodes ?? [0]).includes(exitCode);
    // A step that finished despite a signal did its work; the next step will not start.
    if (forwarded.length > 0 && !succeeded)
      throw this.interrupted(request, forwarded, exit, result);
    if (!succeeded) {
      const detail = `exit code ${exitCode} in ${request.cwd}`;
      // Streamed output is already on the screen; repeating it would bury the summary line.
      const tail = this.streaming ? "(terraform's output is above)" : outputTail(result, request);
      throw errors.terraformFailed(request.step, detail, tail);
    }
    return result;
  }

  private interrupted(
    request: RunRequest,
    forwarded: readonly NodeJS.Signals[],
    exit: { code: number | null; signal: NodeJS.Signals | null },
    result: RunResult,
  ): InterruptedError {
    let how: string;
    if (exit.signal !== null) how = `terraform was ended by ${exit.signal}`;
    else if (forwarded.length === 1) how = 'terraform stopped gracefully';
    else
      how = `terraform got ${forwarded.length} signals and exited at once, which may leave the state behind what was done`;
    return errors.interrupted({
      activity: `terraform ${request.step}`,
      signal: forwarded[0] ?? 'SIGINT',
      notes: [how],
      output: this.streaming ? '' : outputTail(result, request),
      ...(forwarded.length === 1 && exit.signal === null
        ? {}
        : {
            hint: 'Run `bentoctl plan` to see what terraform left; if it reports the state locked, `terraform force-unlock <id>` in the stack folder releases it once no terraform runs there.',
          }),
    });
  }
}

/** The last lines terraform printed: stderr carries its errors, stdout the progress before them. */
function outputTail(result: RunResult, request: RunRequest): string {
  const text = request.stdoutIsData === true ? result.stderr : `${result.stdout}\n${result.stderr}`;
  const lines = text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line, index, all) => line !== '' || (index > 0 && all[index - 1] !== ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines
    .slice(-TAIL_LINES)
    .map((line) => `  | ${line}`)
    .join('\n');
}
