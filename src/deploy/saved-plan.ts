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
 * <dir>/assets/              the files the stack reads beside it (aws-ecs blue-green: a zip)
 * <dir>/build.json           the build record the stack's image came from, when there was one
 * ```
 *
 * A deployment of several stacks keeps the plan file, stack and lock file of each in
 * `<dir>/<stack>/`, and the manifest lists each stack's state version. A stack that was not
 * planned yet (it waits for an earlier one's outputs, see plan-deployment.ts) is saved without a
 * plan file: `apply --plan` applies the saved plans, then plans that stack from its saved stack
 * file and shows that plan before applying it.
 */
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { BentoctlError, errors } from '../errors/index.js';
import { summarizeStackPlan } from './stack-summary.js';
import type { StateVersion } from '../terraform/terraform.js';
import { STACK_ASSETS_DIR, STACK_FILE } from '../stack-file.js';
import type { DeploymentRun } from './deployment-run.js';
import { deploymentStacks, terraformFor, type DeploymentStack } from './deployment-stacks.js';
import { BUILD_RECORD_FILE } from './deployment-records.js';
import {
  combinePlanned,
  PLAN_FILE,
  type PlannedDeployment,
  type PlannedStack,
} from './plan-deployment.js';

/** The file that says which deployment a saved plan belongs to. */
export const SAVED_PLAN_MANIFEST = 'bentoctl-plan.json';
/** Written by `terraform init`: the provider versions and hashes the plan was made with. */
const LOCK_FILE = '.terraform.lock.hcl';

const stateVersionSchema = z.object({ lineage: z.string(), serial: z.number().int() });

const manifestSchema = z.object({
  deployment: z.string().min(1),
  target: z.string().min(1),
  config_file: z.string(),
  planned_at: z.string(),
  terraform_version: z.string(),
  /** The state the plan was made against; null when there was none yet. */
  state: stateVersionSchema.nullable(),
  /** Per stack, for a deployment of several, in apply order. */
  stacks: z
    .array(
      z.object({
        name: z.string().min(1),
        state: stateVersionSchema.nullable(),
        planned: z.boolean(),
      }),
    )
    .optional(),
});

type SavedPlanManifest = z.output<typeof manifestSchema>;

/** Copies the plan just made, its stacks and build record into `dir`; returns the folder. */
export async function savePlan(
  run: DeploymentRun,
  planned: PlannedDeployment,
  dir: string,
): Promise<string> {
  const { config, paths, terraform } = run;
  const out = resolve(dir);
  mkdirSync(out, { recursive: true });
  const stacks: NonNullable<SavedPlanManifest['stacks']> = [];
  let state: StateVersion | null = null;
  for (const part of planned.stacks) {
    const { stack } = part;
    const to = stack.name === undefined ? out : join(out, stack.name);
    mkdirSync(to, { recursive: true });
    const version = await terraformFor(terraform, stack).stateVersion(stack.dir);
    if (part.plan !== undefined) copyFileSync(part.planFile, join(to, PLAN_FILE));
    copyFileSync(join(stack.dir, STACK_FILE), join(to, STACK_FILE));
    copyAssets(stack.dir, to);
    if (existsSync(join(stack.dir, LOCK_FILE))) {
      copyFileSync(join(stack.dir, LOCK_FILE), join(to, LOCK_FILE));
    }
    if (stack.name === undefined) state = version;
    else stacks.push({ name: stack.name, state: version, planned: part.plan !== undefined });
  }
  if (existsSync(paths.buildRecord)) copyFileSync(paths.buildRecord, join(out, BUILD_RECORD_FILE));
  const manifest: SavedPlanManifest = {
    deployment: config.name,
    target: config.target,
    config_file: config.source.file,
    planned_at: new Date().toISOString(),
    terraform_version: terraform.binary.version,
    state,
    ...(stacks.length === 0 ? {} : { stacks }),
  };
  writeFileSync(join(out, SAVED_PLAN_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return out;
}

/**
 * Puts a saved plan's stacks (and build record) back in the deployment's folder, runs terraform
 * init for their backends and providers, and reads the plans: the plan steps of a saved plan.
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
  const stacks = deploymentStacks(config, paths);
  const saved = (stack: DeploymentStack) =>
    stack.name === undefined
      ? { state: manifest.state, planned: true }
      : manifest.stacks?.find((entry) => entry.name === stack.name);
  for (const stack of stacks) {
    const entry = saved(stack);
    const folder = stack.name === undefined ? '' : `${stack.name}/`;
    if (entry === undefined) {
      throw errors.savedPlanInvalid(from, `${SAVED_PLAN_MANIFEST} lists no ${stack.name} stack`);
    }
    for (const file of entry.planned ? [PLAN_FILE, STACK_FILE] : [STACK_FILE]) {
      if (!existsSync(join(from, folder, file))) {
        throw errors.savedPlanInvalid(from, `${folder}${file} is missing`);
      }
    }
  }
  run.progress(`Using the plan saved in ${from} at ${manifest.planned_at}`);
  if (existsSync(join(from, BUILD_RECORD_FILE)))
    copyFileSync(join(from, BUILD_RECORD_FILE), paths.buildRecord);
  const planned: PlannedStack[] = [];
  for (const stack of stacks) {
    const entry = saved(stack) as { state: StateVersion | null; planned: boolean };
    const source = stack.name === undefined ? from : join(from, stack.name);
    mkdirSync(stack.dir, { recursive: true });
    copyFileSync(join(source, STACK_FILE), join(stack.dir, STACK_FILE));
    copyAssets(source, stack.dir);
    if (existsSync(join(source, LOCK_FILE))) {
      copyFileSync(join(source, LOCK_FILE), join(stack.dir, LOCK_FILE));
    }
    if (!entry.planned) {
      planned.push({
        stack,
        planFile: join(stack.dir, PLAN_FILE),
        plan: undefined,
        summary: undefined,
        deferredReason:
          'planned after the stacks before it apply (the saved plan could not include it)',
      });
      continue;
    }
    const stackTerraform = terraformFor(terraform, stack);
    const planFile = join(source, PLAN_FILE);
    run.progress(stack.name === undefined ? 'terraform init' : `terraform init (${stack.name})`);
    await stackTerraform.init(stack.dir);
    // Terraform refuses a stale plan too, but its reason is only on screen when it streams; this
    // check says so in every mode, before anything is shown or confirmed.
    const state = await stackTerraform.stateVersion(stack.dir);
    if (!sameState(state, entry.state)) throw errors.savedPlanStale(from);
    const plan = await stackTerraform.show(stack.dir, planFile);
    planned.push({ stack, planFile, plan, summary: summarizeStackPlan(config, plan) });
  }
  // The plan already holds the release it records (planned with it); apply reads it back after.
  return combinePlanned(planned, undefined);
}

/** The files the stack reads beside it (a Lambda's zip), which the apply needs as planned. */
function copyAssets(from: string, to: string): void {
  const assets = join(from, STACK_ASSETS_DIR);
  rmSync(join(to, STACK_ASSETS_DIR), { recursive: true, force: true });
  if (existsSync(assets)) cpSync(assets, join(to, STACK_ASSETS_DIR), { recursive: true });
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
