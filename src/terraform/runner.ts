/**
 * Runs one terraform command. On a terminal its output streams live (an apply can take minutes
 * and people want to see it); elsewhere (CI, --json) it is captured and shown only when the
 * command fails, as the tail of what terraform printed, with the failing step named.
 */
import { spawn } from 'node:child_process';
import { errors } from '../errors/index.js';
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

export interface TerraformRunnerOptions {
  readonly binary: TerraformBinary;
  /** Echo terraform's output as it runs. @default false - captured, shown on failure */
  readonly stream?: boolean;
  /** Where streamed output goes. @default process.stderr, so stdout stays clean for --json */
  readonly sink?: NodeJS.WritableStream;
  /** Environment before the automation variables are added. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
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

  constructor(options: TerraformRunnerOptions) {
    this.binary = options.binary;
    this.streaming = options.stream ?? false;
    this.sink = options.sink ?? process.stderr;
    this.env = terraformEnvironment(options.env);
  }

  /** Runs `terraform <args>` in `cwd`; rejects with TERRAFORM_FAILED on any other exit code. */
  async run(request: RunRequest): Promise<RunResult> {
    const args = this.streaming ? [...request.args] : [...request.args, '-no-color'];
    const stdoutChunks: Buffer[] = [];
    const stderrChunks: Buffer[] = [];
    const child = spawn(this.binary.path, args, {
      cwd: request.cwd,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutChunks.push(chunk);
      if (this.streaming && request.stdoutIsData !== true) this.sink.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderrChunks.push(chunk);
      if (this.streaming) this.sink.write(chunk);
    });
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.once('error', (cause) =>
        reject(
          errors.terraformFailed(
            request.step,
            `${this.binary.path} could not start: ${cause.message}`,
            '',
          ),
        ),
      );
      child.once('close', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
    });
    const result = {
      exitCode,
      stdout: Buffer.concat(stdoutChunks).toString('utf8'),
      stderr: Buffer.concat(stderrChunks).toString('utf8'),
    };
    if (!(request.successCodes ?? [0]).includes(exitCode)) {
      const detail = `exit code ${exitCode} in ${request.cwd}`;
      // Streamed output is already on the screen; repeating it would bury the summary line.
      const tail = this.streaming ? "(terraform's output is above)" : outputTail(result, request);
      throw errors.terraformFailed(request.step, detail, tail);
    }
    return result;
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
