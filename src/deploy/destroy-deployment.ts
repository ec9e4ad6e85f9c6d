/**
 * `bentoctl destroy`: plan the destruction (so the user sees what goes), confirm, apply that
 * plan. It uses the stack already generated, since the configuration that created the
 * resources is the one that knows how to delete them; only a missing stack is regenerated.
 * Several stacks are destroyed in reverse apply order, after one confirmation of them all.
 */
import { errors } from '../errors/index.js';
import { removeApplyRecord } from './deployment-records.js';
import { withRunLock } from './run-lock.js';
import type { PlanSummary } from '../terraform/plan-summary.js';
import type { Approval, DeploymentRun } from './deployment-run.js';
import { deploymentStacks, stacksGenerated, terraformFor } from './deployment-stacks.js';
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
  const { config, paths, terraform } = run;
  return withRunLock(run, 'destroy', async () => {
    const generate = !stacksGenerated(deploymentStacks(config, paths));
    // Several stacks are planned and destroyed in reverse order: the workload before its cluster.
    const { stacks, summary } = await runPlanSteps(run, { destroy: true, generate });
    approval.review(summary);
    if (summary.hasChanges) {
      if (!(await approval.confirm(summary))) throw errors.confirmationDeclined('destroy');
      for (const { stack, planFile, summary: part } of stacks) {
        if (part?.hasChanges !== true) continue;
        run.progress(
          stack.name === undefined
            ? 'terraform apply (destroy plan)'
            : `terraform apply (destroy plan, ${stack.name})`,
        );
        await terraformFor(terraform, stack).apply(stack.dir, planFile);
      }
    }
    removeApplyRecord(paths);
    return { summary, destroyed: summary.hasChanges };
  });
}
