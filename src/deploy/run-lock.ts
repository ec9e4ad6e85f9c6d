/**
 * The deployment lock around a plan, apply or destroy, and what an interrupt leaves behind. When
 * a signal stops the run, the one message the user reads says what was interrupted on which
 * deployment and what is true afterwards: how terraform stopped, whether its local state lock
 * and bentoctl's own lock are gone. Remote backends keep their lock where bentoctl cannot look;
 * terraform releases it when it stops gracefully.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { errors, InterruptedError } from '../errors/index.js';
import { TERRAFORM_NOT_STARTED } from '../terraform/runner.js';
import { withDeploymentLock } from './deployment-lock.js';
import type { DeploymentRun } from './deployment-run.js';
import type { DeployingCommand } from './approval.js';
import { deploymentStacks } from './deployment-stacks.js';

/** Runs `task` holding the deployment's lock; an interrupted run is reported as said above. */
export async function withRunLock<T>(
  run: DeploymentRun,
  command: 'plan' | DeployingCommand,
  task: () => Promise<T>,
): Promise<T> {
  const { config, paths } = run;
  try {
    return await withDeploymentLock(config.name, paths.lock, command, task);
  } catch (error) {
    const signal = run.interrupts?.signal;
    if (!(error instanceof InterruptedError) && signal?.aborted !== true) throw error;
    // A signal that ended something other than terraform (the confirmation prompt, generate).
    const parts =
      error instanceof InterruptedError
        ? error.parts
        : { activity: command, signal: String(signal?.reason), notes: [] };
    throw errors.interrupted({
      ...parts,
      activity: `${parts.activity} of ${config.name}`,
      notes: [...parts.notes, ...stateLockNotes(run, parts.notes), deploymentLockNote(run)],
    });
  }
}

function stateLockNotes(run: DeploymentRun, notes: readonly string[]): string[] {
  if (run.config.state.backend !== 'local' || notes.includes(TERRAFORM_NOT_STARTED)) return [];
  return deploymentStacks(run.config, run.paths).map(({ name, dir, state }) => {
    // The local backend locks `<state>` with `.<state file name>.lock.info` beside it.
    const statePath = resolve(
      dir,
      state.backend === 'local' ? (state.path ?? 'terraform.tfstate') : '',
    );
    const lockInfo = join(dirname(statePath), `.${basename(statePath)}.lock.info`);
    const which = name === undefined ? '' : ` of the ${name} stack`;
    return existsSync(lockInfo)
      ? `terraform's state lock${which} is still held (${lockInfo})`
      : `terraform's state lock${which} is released`;
  });
}

function deploymentLockNote(run: DeploymentRun): string {
  return existsSync(run.paths.lock)
    ? `the deployment lock ${run.paths.lock} is still there`
    : 'the deployment lock is released';
}
