/**
 * `bentoctl apply` (and `rollback`): plan, show, confirm, apply the saved plan, read the outputs
 * and record what now runs. The lock is held from generate to the record, so two applies never
 * interleave. The release entry is part of the plan itself (planned-release.ts).
 */
import { errors } from '../errors/index.js';
import { writeApplyRecord, type ApplyRecord } from './apply-record.js';
import { withRunLock } from './run-lock.js';
import { displayOutputs, type TerraformOutputs } from '../terraform/outputs.js';
import type { PlanSummary } from '../terraform/plan-summary.js';
import type { Approval, DeploymentRun } from './deployment-run.js';
import { runPlanSteps } from './plan-deployment.js';
import { currentRelease, type Release } from './release-history.js';
import { withoutHistory } from './release-stack-file.js';

export interface AppliedDeployment {
  readonly summary: PlanSummary;
  /** False when the plan had no changes and terraform apply was skipped. */
  readonly applied: boolean;
  readonly outputs: TerraformOutputs;
  readonly record: ApplyRecord;
  /** The current release after this apply; undefined when none is recorded. */
  readonly release: Release | undefined;
  /** True when this apply recorded `release` (what runs changed). */
  readonly released: boolean;
}

export interface ApplyOptions {
  /** Restore this earlier release's image and record a rollback. @default - a plain apply */
  readonly rollbackTo?: Release;
}

export async function applyDeployment(
  run: DeploymentRun,
  approval: Approval,
  options: ApplyOptions = {},
): Promise<AppliedDeployment> {
  const { config, paths, terraform } = run;
  const command = options.rollbackTo === undefined ? 'apply' : 'rollback';
  return withRunLock(run, command, async () => {
    const { planFile, summary, releases } = await runPlanSteps(run, options);
    approval.review(summary);
    if (summary.hasChanges) {
      if (!(await approval.confirm(summary))) throw errors.confirmationDeclined(command);
      run.progress('terraform apply');
      await terraform.apply(paths.stack, planFile);
    }
    const outputs = withoutHistory(await terraform.outputs(paths.stack));
    const candidate = releases?.candidate;
    const record: ApplyRecord = {
      deployment: config.name,
      target: config.target,
      config_file: config.source.file,
      applied_at: new Date().toISOString(),
      terraform_version: terraform.binary.version,
      bento_version: candidate?.bentoVersion ?? null,
      image:
        candidate?.imageRepository == null || candidate.imageDigest === null
          ? null
          : {
              repository: candidate.imageRepository,
              digest: candidate.imageDigest,
              ref: `${candidate.imageRepository}@${candidate.imageDigest}`,
            },
      outputs: displayOutputs(outputs),
    };
    writeApplyRecord(paths, record);
    return {
      summary,
      applied: summary.hasChanges,
      outputs,
      record,
      release: releases === undefined ? undefined : currentRelease(releases.history),
      released: summary.hasChanges && releases?.added !== undefined,
    };
  });
}
