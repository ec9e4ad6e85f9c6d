/**
 * The terraform commands of the workflow, each run in a stack folder. Plans are always saved
 * (`-out`) and applied from the file, so what is applied is exactly what was reviewed.
 */
import { join } from 'node:path';
import { errors } from '../errors/index.js';
import { checkStackVersion, discoverTerraform, type TerraformBinary } from './binary.js';
import { parseOutputsJson, type TerraformOutputs } from './outputs.js';
import { parsePlanJson, type TerraformPlanJson } from './plan-json.js';
import { TerraformRunner, type TerraformRunnerOptions } from './runner.js';
import { STACK_FILE } from '../stack-file.js';

/** A state's identity (lineage) and write count (serial). */
export interface StateVersion {
  readonly lineage: string;
  readonly serial: number;
}

export interface PlanOptions {
  /** Plan the destruction of everything in the state. @default false */
  readonly destroy?: boolean;
}

export class Terraform {
  constructor(readonly runner: TerraformRunner) {}

  get binary(): TerraformBinary {
    return this.runner.binary;
  }

  /** Installs providers and configures the backend written in the stack. */
  async init(stackDir: string): Promise<void> {
    checkStackVersion(this.binary, join(stackDir, STACK_FILE));
    await this.runner.run({ step: 'init', cwd: stackDir, args: ['init', '-input=false'] });
  }

  /** Saves a plan to `planFile`; resolves whether it changes anything (Terraform's exit code 2). */
  async plan(
    stackDir: string,
    planFile: string,
    options: PlanOptions = {},
  ): Promise<{ hasChanges: boolean }> {
    const args = ['plan', '-input=false', '-detailed-exitcode', `-out=${planFile}`];
    if (options.destroy === true) args.push('-destroy');
    const result = await this.runner.run({
      step: 'plan',
      cwd: stackDir,
      args,
      successCodes: [0, 2],
    });
    return { hasChanges: result.exitCode === 2 };
  }

  /** The saved plan as Terraform's plan JSON. */
  async show(stackDir: string, planFile: string): Promise<TerraformPlanJson> {
    const result = await this.runner.run({
      step: 'show',
      cwd: stackDir,
      args: ['show', '-json', planFile],
      stdoutIsData: true,
    });
    return parsePlanJson(result.stdout);
  }

  /** Applies a saved plan (no prompt: the plan file is the approval). */
  async apply(stackDir: string, planFile: string): Promise<void> {
    await this.runner.run({
      step: 'apply',
      cwd: stackDir,
      args: ['apply', '-input=false', planFile],
    });
  }

  /**
   * Which version of the state the stack has (`terraform state pull`): its lineage and serial,
   * which every write of the state changes; null before the first apply.
   */
  async stateVersion(stackDir: string): Promise<StateVersion | null> {
    const result = await this.runner.run({
      step: 'state pull',
      cwd: stackDir,
      args: ['state', 'pull'],
      stdoutIsData: true,
    });
    if (result.stdout.trim() === '') return null;
    let state: { lineage?: unknown; serial?: unknown };
    try {
      state = JSON.parse(result.stdout) as { lineage?: unknown; serial?: unknown };
    } catch (cause) {
      throw errors.terraformOutputInvalid('state pull', `not JSON (${String(cause)})`);
    }
    if (typeof state.lineage !== 'string' || typeof state.serial !== 'number') {
      throw errors.terraformOutputInvalid('state pull', 'no lineage and serial in the state');
    }
    return { lineage: state.lineage, serial: state.serial };
  }

  /** The root module's outputs from the state. */
  async outputs(stackDir: string): Promise<TerraformOutputs> {
    const result = await this.runner.run({
      step: 'output',
      cwd: stackDir,
      args: ['output', '-json'],
      stdoutIsData: true,
    });
    return parseOutputsJson(result.stdout);
  }
}

export type CreateTerraformOptions = Omit<TerraformRunnerOptions, 'binary'>;

/** Finds and checks the binary, then wraps it. */
export async function createTerraform(options: CreateTerraformOptions = {}): Promise<Terraform> {
  const binary = await discoverTerraform({ env: options.env });
  return new Terraform(new TerraformRunner({ ...options, binary }));
}
