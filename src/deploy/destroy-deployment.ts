/**
 * `bentoctl destroy`: plan the destruction (so the user sees what goes), confirm, apply that
 * plan. It uses the stack already generated, since the configuration that created the
 * resources is the one that knows how to delete them; only a missing stack is regenerated.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { errors } from '../errors/index.js';
import { removeApplyRecord } from './deployment-records.js';
import { withRunLock } from './run-lock.js';
import type { PlanSummary } from '../terraform/plan-summary.js';
import { STACK_FILE } from '../stack-file.js';
import type { Approval, DeploymentRun } from './deployment-run.js';
import { runPlanSteps } from './plan-deployment.js';

export interface DestroyedDeployment {
  readonly summary: PlanSummary;
  /** False when there was nothing to destroy. */
  readonly destroyed: boolean;
}

export async function destroyDeployment(
  run: DeploymentRun,
  approval: Approval,
): Promise<DestroyedDeployment> {
  const { paths, terraform } = run;
  return withRunLock(run, 'destroy', async () => {
    const generate = !existsSync(join(paths.stack, STACK_FILE));
    const { planFile, summary } = await runPlanSteps(run, { destroy: true, generate });
    approval.review(summary);
    if (summary.hasChanges) {
      if (!(await approval.confirm(summary))) throw errors.confirmationDeclined('destroy');
      run.progress('terraform apply (destroy plan)');
      await terraform.apply(paths.stack, planFile);
    }
    removeApplyRecord(paths);
    return { summary, destroyed: summary.hasChanges };
  });
}
