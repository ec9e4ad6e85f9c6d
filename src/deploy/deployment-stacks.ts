/**
 * The Terraform stacks a deployment is planned, applied and destroyed as. Most targets have one,
 * in `.bentoctl/<name>/stack/`. A target that declares `stacks` (azure-aks: `cluster`, then
 * `workload`) has a folder per stack below it, each with its own state (`stackState`): they are
 * planned and applied in that order and destroyed in reverse. The last stack runs the bento, so
 * it declares the target's outputs and carries the release history.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DeploymentPaths } from '../config/deployment-paths.js';
import { defaultStateFolder } from '../config/derived-defaults.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { StateConfig } from '../config/state-schema.js';
import { getTarget } from '../targets/registry.js';
import { stackState } from '../targets/stack-state.js';
import { STACK_FILE } from '../stack-file.js';
import type { Terraform } from '../terraform/terraform.js';

export interface DeploymentStack {
  /** The stack's name; undefined for a target's only stack. */
  readonly name: string | undefined;
  /** The folder terraform runs in. */
  readonly dir: string;
  /** Where its state lives. */
  readonly state: StateConfig;
  /** This stack carries the release history and the target's outputs (the last one). */
  readonly releases: boolean;
}

/** The deployment's stacks in apply order. */
export function deploymentStacks(
  config: ResolvedConfig,
  paths: DeploymentPaths,
): readonly DeploymentStack[] {
  const target = getTarget(config.target);
  if (target.stacks === undefined) {
    return [{ name: undefined, dir: paths.stack, state: config.state, releases: true }];
  }
  const folder = defaultStateFolder(config, target.stateScope(config.spec));
  return target.stacks.map((stack, index, all) => ({
    name: stack.name,
    dir: join(paths.stack, stack.name),
    state: stackState(config.state, folder, stack.name),
    releases: index === all.length - 1,
  }));
}

/** The stack with the release history and the target's outputs. */
export function releaseStack(config: ResolvedConfig, paths: DeploymentPaths): DeploymentStack {
  const stacks = deploymentStacks(config, paths);
  return stacks[stacks.length - 1] as DeploymentStack;
}

/** Every stack's file is there (generate ran, or a saved plan was put back). */
export function stacksGenerated(stacks: readonly DeploymentStack[]): boolean {
  return stacks.every((stack) => existsSync(join(stack.dir, STACK_FILE)));
}

/**
 * The terraform for one stack: the run's own for a single stack (its environment as the user
 * set it), else one whose working data lives in the stack's folder, since each stack has its own
 * backend and a shared TF_DATA_DIR would mix them up.
 */
export function terraformFor(terraform: Terraform, stack: DeploymentStack): Terraform {
  return stack.name === undefined
    ? terraform
    : terraform.withDataDir(join(stack.dir, '.terraform'));
}

/** `name` for messages: "the workload stack", or the deployment's stack. */
export function stackLabel(stack: Pick<DeploymentStack, 'name'>): string {
  return stack.name === undefined ? 'the stack' : `the ${stack.name} stack`;
}
