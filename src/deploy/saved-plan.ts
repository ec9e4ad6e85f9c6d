/**
 * A plan saved for a later apply, usually in another CI job: `bentoctl plan --out <dir>` writes
 * the terraform plan file with the stack it was made from, and `bentoctl apply --plan <dir>`
 * applies exactly that plan, so what runs is what the approver was shown. A plan whose state
 * has changed since (another apply ran) is refused as SAVED_PLAN_STALE, by bentoctl comparing
 * the state's lineage and serial, and by terraform itself.
 *
 * The folder:
 *
 * ```text
 * <dir>/bentoctl-plan.json   which deployment, target, config and state version it is for
 * <dir>/bentoctl.tfplan      terraform's plan file
 * <dir>/main.tf.json         the stack planned (plus .terraform.lock.hcl when init wrote one)
 * <dir>/build.json           the build record the stack's image came from, when there was one
 * ```
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { BentoctlError, errors } from '../errors/index.js';
import { summarizePlan } from '../terraform/plan-summary.js';
import type { StateVersion } from '../terraform/terraform.js';
import { STACK_FILE } from '../stack-file.js';
import type { DeploymentRun } from './deployment-run.js';
import { BUILD_RECORD_FILE } from './deployment-records.js';
import { PLAN_FILE, type PlannedDeployment } from './plan-deployment.js';

/** The file that says which deployment a saved plan belongs to. */
export const SAVED_PLAN_MANIFEST = 'bentoctl-plan.json';
/** Written by `terraform init`: the provider versions and hashes the plan was made with. */
const LOCK_FILE = '.terraform.lock.hcl';

const manifestSchema = z.object({
  deployment: z.string().min(1),
  target: z.string().min(1),
  config_file: z.string(),
  planned_at: z.string(),
  terraform_version: z.string(),
  /** The state the plan was made against; null when there was none yet. */
  state: z.object({ lineage: z.string(), serial: z.number().int() }).nullable(),
});

type SavedPlanManifest = z.output<typeof manifestSchema>;

/** Copies the plan just made, its stack and build record into `dir`; returns the folder. */
export async function savePlan(
  run: DeploymentRun,
  planned: PlannedDeployment,
  dir: string,
): Promise<string> {
  const { config, paths, terraform } = run;
  const state = await terraform.stateVersion(paths.stack);
  const out = resolve(dir);
  mkdirSync(out, { recursive: true });
  copyFileSync(planned.planFile, join(out, PLAN_FILE));
  copyFileSync(join(paths.stack, STACK_FILE), join(out, STACK_FILE));
  if (existsSync(join(paths.stack, LOCK_FILE))) {
    copyFileSync(join(paths.stack, LOCK_FILE), join(out, LOCK_FILE));
  }
  if (existsSync(paths.buildRecord)) copyFileSync(paths.buildRecord, join(out, BUILD_RECORD_FILE));
  const manifest: SavedPlanManifest = {
    deployment: config.name,
    target: config.target,
    config_file: config.source.file,
    planned_at: new Date().toISOString(),
    terraform_version: terraform.binary.version,
    state,
  };
  writeFileSync(join(out, SAVED_PLAN_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return out;
}

/**
 * Puts a saved plan's stack (and build record) back in the deployment's folder, runs terraform
 * init for its backend and providers, and reads the plan: the plan steps of a saved plan.
 * The caller holds the deployment lock.
 */
export async function loadSavedPlan(run: DeploymentRun, dir: string): Promise<PlannedDeployment> {
  const { config, paths, terraform } = run;
  const from = resolve(dir);
  const manifest = readManifest(from);
  if (manifest.deployment !== config.name || manifest.target !== config.target) {
    throw errors.savedPlanMismatch(
      from,
      `${manifest.deployment} (${manifest.target})`,
      `${config.name} (${config.target})`,
    );
  }
  for (const file of [PLAN_FILE, STACK_FILE]) {
    if (!existsSync(join(from, file))) throw errors.savedPlanInvalid(from, `${file} is missing`);
  }
  run.progress(`Using the plan saved in ${from} at ${manifest.planned_at}`);
  mkdirSync(paths.stack, { recursive: true });
  copyFileSync(join(from, STACK_FILE), join(paths.stack, STACK_FILE));
  if (existsSync(join(from, LOCK_FILE))) {
    copyFileSync(join(from, LOCK_FILE), join(paths.stack, LOCK_FILE));
  }
  if (existsSync(join(from, BUILD_RECORD_FILE)))
    copyFileSync(join(from, BUILD_RECORD_FILE), paths.buildRecord);
  const planFile = join(from, PLAN_FILE);
  run.progress('terraform init');
  await terraform.init(paths.stack);
  // Terraform refuses a stale plan too, but its reason is only on screen when it streams; this
  // check says so in every mode, before anything is shown or confirmed.
  const state = await terraform.stateVersion(paths.stack);
  if (!sameState(state, manifest.state)) throw errors.savedPlanStale(from);
  const plan = await terraform.show(paths.stack, planFile);
  // The plan already holds the release it records (planned with it); apply reads it back after.
  return { planFile, plan, summary: summarizePlan(plan), releases: undefined };
}

function sameState(a: StateVersion | null, b: StateVersion | null): boolean {
  return a === null || b === null ? a === b : a.lineage === b.lineage && a.serial === b.serial;
}

/** Terraform's refusal of a stale saved plan, as SAVED_PLAN_STALE; other errors unchanged. */
export function savedPlanApplyError(error: unknown, dir: string): unknown {
  if (
    error instanceof BentoctlError &&
    error.code === 'TERRAFORM_FAILED' &&
    /Saved plan is stale|can no longer be applied/.test(error.message)
  ) {
    return errors.savedPlanStale(resolve(dir));
  }
  return error;
}

function readManifest(dir: string): SavedPlanManifest {
  const file = join(dir, SAVED_PLAN_MANIFEST);
  if (!existsSync(file)) {
    throw errors.savedPlanInvalid(dir, `${SAVED_PLAN_MANIFEST} is missing`);
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw errors.savedPlanInvalid(dir, `${SAVED_PLAN_MANIFEST} is not JSON (${String(cause)})`);
  }
  const parsed = manifestSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw errors.savedPlanInvalid(
      dir,
      `${SAVED_PLAN_MANIFEST}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  return parsed.data;
}
