/**
 * `bentoctl apply` (and `rollback`): plan, show, confirm, apply the saved plan, read the outputs
 * and record what now runs. The lock is held from generate to the record, so two applies never
 * interleave. The release entry is part of the plan itself (planned-release.ts).
 */
import { errors } from '../errors/index.js';
import { writeApplyRecord, type ApplyRecord, type Release } from './deployment-records.js';
import { withRunLock } from './run-lock.js';
import { displayOutputs, type TerraformOutputs } from '../terraform/outputs.js';
import type { PlanSummary } from '../terraform/plan-summary.js';
import type { Approval, DeploymentRun } from './deployment-run.js';
import { releaseStack, terraformFor } from './deployment-stacks.js';
import { combinePlanned, planStack, runPlanSteps, type PlannedStack } from './plan-deployment.js';
import { currentRelease } from './release-history.js';
import { historyFromOutputs, trafficFromOutputs, withoutHistory } from './release-stack-file.js';
import { loadSavedPlan, savedPlanApplyError } from './saved-plan.js';
import {
  lifecycleFromOutputs,
  type LifecycleIntent,
  type LifecycleRecord,
} from './lifecycle-state.js';
import type { TrafficAction, TrafficState } from './traffic-state.js';

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
  /** The lifecycle record in the state after this apply; undefined when never terminated. */
  readonly lifecycle: LifecycleRecord | undefined;
  /** Who gets the traffic after this apply, where bentoctl moves it (canary, blue-green). */
  readonly traffic: TrafficState | undefined;
}

export interface ApplyOptions {
  /** Restore this earlier release's image and record a rollback. @default - a plain apply */
  readonly rollbackTo?: Release;
  /** Apply the plan `bentoctl plan --out` saved in this folder instead of planning anew. */
  readonly savedPlan?: string;
  /** `terminate` or `restore` the deployment (lifecycle-state.ts). @default 'keep' */
  readonly lifecycle?: LifecycleIntent;
  /** `release promote` / `abort`: move the traffic. @default - follow the stack (apply) */
  readonly traffic?: TrafficAction;
  /** `release promote --skip-bake`. @default false */
  readonly skipBake?: boolean;
}

export async function applyDeployment(
  run: DeploymentRun,
  approval: Approval,
  options: ApplyOptions = {},
): Promise<AppliedDeployment> {
  const { config, paths, terraform } = run;
  const command =
    options.lifecycle === 'terminate' || options.lifecycle === 'restore'
      ? options.lifecycle
      : options.rollbackTo !== undefined
        ? 'rollback'
        : options.traffic === 'promote'
          ? 'release promote'
          : options.traffic === 'abort'
            ? 'release abort'
            : 'apply';
  const { savedPlan } = options;
  return withRunLock(run, command, async () => {
    // A saved plan (`apply --plan`) carries the release it records; it is read back below.
    const planned =
      savedPlan === undefined
        ? await runPlanSteps(run, options)
        : await loadSavedPlan(run, savedPlan);
    approval.review(planned.summary);
    if (planned.summary.hasChanges && !(await approval.confirm(planned.summary))) {
      throw errors.confirmationDeclined(command);
    }
    let { releases } = planned;
    const done: PlannedStack[] = [];
    for (const part of planned.stacks) {
      let current = part;
      if (current.summary === undefined) {
        // Planned now that the stacks before it are applied; shown and confirmed on its own,
        // since the go-ahead above did not see it.
        const later = await planStack(run, part.stack, {
          ...options,
          generate: false,
          written: planned.written,
        });
        releases ??= later.releases;
        current = later.planned;
        const summary = combinePlanned([current], undefined).summary;
        approval.review(summary);
        if (summary.hasChanges && !(await approval.confirm(summary))) {
          throw errors.confirmationDeclined(command);
        }
      }
      done.push(current);
      if (current.summary?.hasChanges !== true) continue;
      run.progress(
        current.stack.name === undefined
          ? 'terraform apply'
          : `terraform apply (${current.stack.name})`,
      );
      await terraformFor(terraform, current.stack)
        .apply(current.stack.dir, current.planFile)
        .catch((error: unknown) => {
          throw savedPlan === undefined ? error : savedPlanApplyError(error, savedPlan);
        });
    }
    const { summary } = combinePlanned(done, releases);
    const last = releaseStack(config, paths);
    const rawOutputs = await terraformFor(terraform, last).outputs(last.dir);
    const outputs = withoutHistory(rawOutputs);
    const applied =
      releases === undefined ? currentRelease(historyFromOutputs(rawOutputs)) : undefined;
    const candidate =
      releases?.candidate ??
      (applied === undefined
        ? undefined
        : {
            bentoVersion: applied.bento_version,
            imageRepository: applied.image_repository,
            imageDigest: applied.image_digest,
          });
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
      release: releases === undefined ? applied : currentRelease(releases.history),
      traffic: releases?.traffic ?? trafficFromOutputs(rawOutputs),
      released:
        summary.hasChanges &&
        (releases === undefined ? applied !== undefined : releases.added !== undefined),
      lifecycle: lifecycleFromOutputs(rawOutputs),
    };
  });
}
