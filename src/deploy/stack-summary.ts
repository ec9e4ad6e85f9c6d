/** A stack's plan as the summary a reviewer sees: Terraform's plan plus the target's notes. */
import type { ResolvedConfig } from '../config/resolved-config.js';
import { getTarget } from '../targets/registry.js';
import type { TerraformPlanJson } from '../terraform/plan-json.js';
import { summarizePlan, type PlanSummary } from '../terraform/plan-summary.js';

export function summarizeStackPlan(config: ResolvedConfig, plan: TerraformPlanJson): PlanSummary {
  const summary = summarizePlan(plan);
  const notes = getTarget(config.target).planNotes?.(summary) ?? [];
  return notes.length === 0 ? summary : { ...summary, notes };
}
