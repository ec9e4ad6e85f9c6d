/**
 * `bentoctl apply`: plan, show, confirm, apply the saved plan, read the outputs and record what
 * now runs. The lock is held from generate to the record, so two applies never interleave.
 */
import { readBuildRecord } from '../targets/image-reference.js';
import { errors } from '../errors/index.js';
import { writeApplyRecord, type ApplyRecord } from './apply-record.js';
import { withDeploymentLock } from './deployment-lock.js';
import { displayOutputs, type TerraformOutputs } from '../terraform/outputs.js';
import type { PlanSummary } from '../terraform/plan-summary.js';
import type { Approval, DeploymentRun } from './deployment-run.js';
import { runPlanSteps } from './plan-deployment.js';
import { loadSavedPlan, savedPlanApplyError } from './saved-plan.js';

export interface AppliedDeployment {
  readonly summary: PlanSummary;
  /** False when the plan had no changes and terraform apply was skipped. */
  readonly applied: boolean;
  readonly outputs: TerraformOutputs;
  readonly record: ApplyRecord;
}

export interface ApplyOptions {
  /** Apply the plan `bentoctl plan --out` saved in this folder instead of planning anew. */
  readonly savedPlan?: string;
}

export async function applyDeployment(
  run: DeploymentRun,
  approval: Approval,
  options: ApplyOptions = {},
): Promise<AppliedDeployment> {
  const { config, paths, terraform } = run;
  const { savedPlan } = options;
  return withDeploymentLock(config.name, paths.lock, 'apply', async () => {
    const { planFile, summary } =
      savedPlan === undefined ? await runPlanSteps(run) : await loadSavedPlan(run, savedPlan);
    approval.review(summary);
    if (summary.hasChanges) {
      if (!(await approval.confirm(summary))) throw errors.confirmationDeclined('apply');
      run.progress('terraform apply');
      await terraform.apply(paths.stack, planFile).catch((error: unknown) => {
        throw savedPlan === undefined ? error : savedPlanApplyError(error, savedPlan);
      });
    }
    const outputs = await terraform.outputs(paths.stack);
    const build = readBuildRecord(paths.buildRecord);
    const record: ApplyRecord = {
      deployment: config.name,
      target: config.target,
      config_file: config.source.file,
      applied_at: new Date().toISOString(),
      terraform_version: terraform.binary.version,
      bento_version: build?.bento_version ?? build?.tag ?? null,
      image:
        build === undefined
          ? null
          : {
              repository: build.repository,
              digest: build.digest,
              ref: `${build.repository}@${build.digest}`,
            },
      outputs: displayOutputs(outputs),
    };
    writeApplyRecord(paths, record);
    return { summary, applied: summary.hasChanges, outputs, record };
  });
}
