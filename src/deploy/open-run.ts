/**
 * Builds a DeploymentRun for a command: the config, its paths, a checked terraform that streams
 * on a terminal and captures otherwise, and the stack writer.
 */
import { deploymentPathsOf } from '../config/deployment-paths.js';
import type { SignalSource } from '../terraform/runner.js';
import type { StackWriter } from '../terraform/stack-writer.js';
import { imageFlag } from '../targets/image-reference.js';
import type { StackLifecycle } from '../targets/synthesizer.js';
import { createTerraform } from '../terraform/terraform.js';
import type { DeploymentRun } from './deployment-run.js';
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
  };
}
