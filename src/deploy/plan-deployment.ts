/**
 * generate → terraform init → release history → plan -out → show -json → summary. The saved plan
 * file is what a later apply in the same run applies, so nothing changes between review and
 * apply, the release entry included.
 */
import { join } from 'node:path';
import { withRunLock } from './run-lock.js';
import type { TerraformPlanJson } from '../terraform/plan-json.js';
import { summarizePlan, type PlanSummary } from '../terraform/plan-summary.js';
import { assertStackExists, type StackWritten } from '../terraform/stack-writer.js';
import type { DeploymentRun } from './deployment-run.js';
import { planRelease, type PlannedReleases } from './planned-release.js';
import type { Release } from './deployment-records.js';
import type { LifecycleIntent } from './lifecycle-state.js';
import type { TrafficAction } from './traffic-state.js';

export const PLAN_FILE = 'bentoctl.tfplan';

export interface PlannedDeployment {
  /** Absolute path of the saved plan. */
  readonly planFile: string;
  readonly plan: TerraformPlanJson;
  readonly summary: PlanSummary;
  /** The release history as planned; undefined for a destroy plan. */
  readonly releases: PlannedReleases | undefined;
}

export interface PlanStepsOptions {
  /** Plan the destruction of everything in the state. @default false */
  readonly destroy?: boolean;
  /** Write the stack first (when the run has a writer). @default true */
  readonly generate?: boolean;
  /** The release whose image this plan restores (`bentoctl rollback`). @default - none */
  readonly rollbackTo?: Release;
  /** `terminate` or `restore` (lifecycle-state.ts). @default 'keep' */
  readonly lifecycle?: LifecycleIntent;
  /** Move the traffic (`release promote` / `abort`) instead of following the stack. @default 'apply' */
  readonly traffic?: TrafficAction;
  /** `release promote --skip-bake`. @default false */
  readonly skipBake?: boolean;
}

/** Runs the plan steps; the caller holds the deployment lock. */
export async function runPlanSteps(
  run: DeploymentRun,
  options: PlanStepsOptions = {},
): Promise<PlannedDeployment> {
  const { config, paths, terraform } = run;
  let written: StackWritten | undefined;
  if ((options.generate ?? true) && run.writeStack !== undefined) {
    run.progress(`Generating the ${config.target} stack in ${paths.stack}`);
    written = await run.writeStack(config, paths);
    for (const warning of written.warnings) run.progress(`Warning: ${warning}`);
  }
  assertStackExists(config.name, paths);
  const planFile = join(paths.stack, PLAN_FILE);
  run.progress('terraform init');
  await terraform.init(paths.stack);
  // A destroy plan removes the history with everything else; it records nothing.
  const releases =
    options.destroy === true
      ? undefined
      : await planRelease(run, {
          written,
          ...(options.rollbackTo === undefined ? {} : { rollbackTo: options.rollbackTo }),
          ...(options.lifecycle === undefined ? {} : { lifecycle: options.lifecycle }),
          ...(options.traffic === undefined ? {} : { traffic: options.traffic }),
          ...(options.skipBake === undefined ? {} : { skipBake: options.skipBake }),
        });
  run.progress(options.destroy === true ? 'terraform plan -destroy' : 'terraform plan');
  await terraform.plan(paths.stack, planFile, { destroy: options.destroy });
  const plan = await terraform.show(paths.stack, planFile);
  return { planFile, plan, summary: summarizePlan(plan), releases };
}

export interface PlanDeploymentOptions {
  /** Also save the plan with its stack in this folder, for `apply --plan` (saved-plan.ts). */
  readonly saveTo?: string;
}

/** `bentoctl plan`: the plan steps (and saving the plan) under the deployment lock. */
export async function planDeployment(
  run: DeploymentRun,
  options: PlanDeploymentOptions = {},
): Promise<PlannedDeployment & { readonly savedTo: string | null }> {
  return withRunLock(run, 'plan', async () => {
    const planned = await runPlanSteps(run);
    const { saveTo } = options;
    // Loaded here only: most plans are not saved.
    const savedTo =
      saveTo === undefined
        ? null
        : await (await import('./saved-plan.js')).savePlan(run, planned, saveTo);
    return { ...planned, savedTo };
  });
}
