/**
 * generate → per stack: terraform init → release history → plan -out → show -json → summary.
 * The saved plan file is what a later apply in the same run applies, so nothing changes between
 * review and apply, the release entry included.
 *
 * A target with several stacks (deployment-stacks.ts) is planned stack by stack in apply order
 * (destroy: reverse). A stack after one whose plan changes its outputs is not planned yet: it
 * reads those outputs from the earlier stack's state, so apply plans it once the earlier one is
 * applied (combined-summary.ts).
 */
import { join } from 'node:path';
import { withRunLock } from './run-lock.js';
import { combineSummaries, changesOutputs } from '../terraform/combined-summary.js';
import type { TerraformPlanJson } from '../terraform/plan-json.js';
import type { PlanSummary } from '../terraform/plan-summary.js';
import { summarizeStackPlan } from './stack-summary.js';
import { STACK_FILE } from '../stack-file.js';
import type { StackWritten } from '../terraform/stack-writer.js';
import { errors } from '../errors/index.js';
import { existsSync } from 'node:fs';
import type { DeploymentRun } from './deployment-run.js';
import { deploymentStacks, terraformFor, type DeploymentStack } from './deployment-stacks.js';
import { planRelease, type PlannedReleases } from './planned-release.js';
import type { Release } from './deployment-records.js';
import type { LifecycleIntent } from './lifecycle-state.js';
import type { TrafficAction } from './traffic-state.js';

export const PLAN_FILE = 'bentoctl.tfplan';

/** One stack's part of a plan. */
export interface PlannedStack {
  readonly stack: DeploymentStack;
  /** Absolute path of its saved plan (written once it is planned). */
  readonly planFile: string;
  /** Undefined while it waits for the stacks before it to apply. */
  readonly plan: TerraformPlanJson | undefined;
  readonly summary: PlanSummary | undefined;
  /** Why it is not planned yet. */
  readonly deferredReason?: string;
}

export interface PlannedDeployment {
  /** Absolute path of the saved plan (of the first stack, when there are several). */
  readonly planFile: string;
  /** Every stack's plan, in the order they apply (destroy: reverse). */
  readonly stacks: readonly PlannedStack[];
  /** What the plan does; for several stacks, one summary of them all. */
  readonly summary: PlanSummary;
  /** The release history as planned; undefined for a destroy plan or a release stack not planned yet. */
  readonly releases: PlannedReleases | undefined;
  /** What writing the stacks said (the image they pin), for a stack planned later. */
  readonly written?: StackWritten;
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
  const { config, paths } = run;
  let written: StackWritten | undefined;
  if ((options.generate ?? true) && run.writeStack !== undefined) {
    run.progress(`Generating the ${config.target} stack in ${paths.stack}`);
    written = await run.writeStack(config, paths);
    for (const warning of written.warnings) run.progress(`Warning: ${warning}`);
  }
  const ordered = deploymentStacks(config, paths);
  const stacks = options.destroy === true ? [...ordered].reverse() : ordered;
  const planned: PlannedStack[] = [];
  let releases: PlannedReleases | undefined;
  for (const stack of stacks) {
    // A destroy plan needs nothing from the stacks it destroys first.
    const changing = planned.find(
      (before) => before.summary === undefined || changesOutputs(before.summary),
    );
    if (options.destroy !== true && changing !== undefined) {
      planned.push(deferredStack(stack, changing.stack.name ?? ''));
      continue;
    }
    const result = await planStack(run, stack, { ...options, written });
    releases ??= result.releases;
    planned.push(result.planned);
  }
  return { ...combinePlanned(planned, releases), ...(written === undefined ? {} : { written }) };
}

/** A stack that waits for `after` to apply. */
function deferredStack(stack: DeploymentStack, after: string): PlannedStack {
  return {
    stack,
    planFile: join(stack.dir, PLAN_FILE),
    plan: undefined,
    summary: undefined,
    deferredReason: `planned after the ${after} stack applies: this plan changes the outputs it reads`,
  };
}

/** The deployment's plan from its stacks' plans. */
export function combinePlanned(
  stacks: readonly PlannedStack[],
  releases: PlannedReleases | undefined,
): PlannedDeployment {
  const [first] = stacks;
  if (first === undefined) throw new Error('a deployment has at least one stack');
  const summary =
    stacks.length === 1 && first.stack.name === undefined && first.summary !== undefined
      ? first.summary
      : combineSummaries(
          stacks.map((planned) => ({
            name: planned.stack.name ?? '',
            summary: planned.summary,
            ...(planned.deferredReason === undefined
              ? {}
              : { deferredReason: planned.deferredReason }),
          })),
        );
  return { planFile: first.planFile, stacks, summary, releases };
}

export interface PlanStackOptions extends PlanStepsOptions {
  /** The stack writer's answer; undefined when the stack was already there. */
  readonly written: StackWritten | undefined;
}

/** init, release history (the release stack, unless destroying), plan and show of one stack. */
export async function planStack(
  run: DeploymentRun,
  stack: DeploymentStack,
  options: PlanStackOptions,
): Promise<{ planned: PlannedStack; releases: PlannedReleases | undefined }> {
  if (!existsSync(join(stack.dir, STACK_FILE))) {
    throw errors.stackNotGenerated(run.config.name, stack.dir);
  }
  const terraform = terraformFor(run.terraform, stack);
  const planFile = join(stack.dir, PLAN_FILE);
  const which = stack.name === undefined ? '' : ` (${stack.name})`;
  run.progress(`terraform init${which}`);
  await terraform.init(stack.dir);
  // A destroy plan removes the history with everything else; it records nothing.
  const releases =
    options.destroy === true || !stack.releases
      ? undefined
      : await planRelease(run, {
          stackDir: stack.dir,
          terraform,
          written: options.written,
          ...(options.rollbackTo === undefined ? {} : { rollbackTo: options.rollbackTo }),
          ...(options.lifecycle === undefined ? {} : { lifecycle: options.lifecycle }),
          ...(options.traffic === undefined ? {} : { traffic: options.traffic }),
          ...(options.skipBake === undefined ? {} : { skipBake: options.skipBake }),
        });
  run.progress(
    `${options.destroy === true ? 'terraform plan -destroy' : 'terraform plan'}${which}`,
  );
  await terraform.plan(stack.dir, planFile, { destroy: options.destroy });
  const plan = await terraform.show(stack.dir, planFile);
  return {
    planned: { stack, planFile, plan, summary: summarizeStackPlan(run.config, plan) },
    releases,
  };
}

export interface PlanDeploymentOptions {
  /** Also save the plan with its stack in this folder, for `apply --plan` (saved-plan.ts). */
  readonly saveTo?: string;
  /** `plan --terminate` / `--restore`: plan that lifecycle change. @default 'keep' */
  readonly lifecycle?: LifecycleIntent;
}

/** `bentoctl plan`: the plan steps (and saving the plan) under the deployment lock. */
export async function planDeployment(
  run: DeploymentRun,
  options: PlanDeploymentOptions = {},
): Promise<PlannedDeployment & { readonly savedTo: string | null }> {
  return withRunLock(run, 'plan', async () => {
    const planned = await runPlanSteps(
      run,
      options.lifecycle === undefined ? {} : { lifecycle: options.lifecycle },
    );
    const { saveTo } = options;
    // Loaded here only: most plans are not saved.
    const savedTo =
      saveTo === undefined
        ? null
        : await (await import('./saved-plan.js')).savePlan(run, planned, saveTo);
    return { ...planned, savedTo };
  });
}
