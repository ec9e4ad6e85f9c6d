/**
 * One summary for a deployment of several stacks (azure-aks: cluster, then workload): every
 * stack's resources and outputs marked with their stack, counts added up, and the stacks that
 * could not be planned yet listed with the reason. A later stack is planned against the outputs
 * an earlier one has in its state; while the earlier plan changes those outputs (a new or
 * replaced cluster), planning the later one would configure its providers from values about to
 * change, so it is planned after the earlier one applies, and `apply` shows that plan too.
 */
import {
  SUMMARY_ACTIONS,
  type PlanSummary,
  type StackPlanStatus,
  type SummaryAction,
} from './plan-summary.js';

export interface StackPlan {
  readonly name: string;
  /** Undefined: not planned yet. */
  readonly summary: PlanSummary | undefined;
  /** Why it is not planned yet. */
  readonly deferredReason?: string;
}

/** The stacks' plans as one summary, in the order given (their apply or destroy order). */
export function combineSummaries(stacks: readonly StackPlan[]): PlanSummary {
  const counts = Object.fromEntries(SUMMARY_ACTIONS.map((action) => [action, 0])) as Record<
    SummaryAction,
    number
  >;
  const planned = stacks.flatMap((stack) =>
    stack.summary === undefined ? [] : [{ name: stack.name, summary: stack.summary }],
  );
  for (const { summary } of planned) {
    for (const action of SUMMARY_ACTIONS) counts[action] += summary.counts[action];
  }
  const statuses: StackPlanStatus[] = stacks.map((stack) => ({
    name: stack.name,
    planned: stack.summary !== undefined,
    hasChanges: stack.summary?.hasChanges ?? true,
    ...(stack.summary === undefined && stack.deferredReason !== undefined
      ? { deferredReason: stack.deferredReason }
      : {}),
  }));
  const notes = planned.flatMap(({ summary }) => summary.notes ?? []);
  return {
    terraformVersion: planned[0]?.summary.terraformVersion ?? null,
    counts,
    resources: planned.flatMap(({ name, summary }) =>
      summary.resources.map((resource) => ({ stack: name, ...resource })),
    ),
    outputs: planned.flatMap(({ name, summary }) =>
      summary.outputs.map((output) => ({ stack: name, ...output })),
    ),
    hasChanges: statuses.some((stack) => stack.hasChanges),
    destructive: planned.some(({ summary }) => summary.destructive),
    stacks: statuses,
    ...(notes.length > 0 ? { notes } : {}),
  };
}

/**
 * Whether a plan changes the outputs later stacks read: an output created, deleted, or updated
 * (including to a value known only after apply).
 */
export function changesOutputs(summary: PlanSummary): boolean {
  return summary.outputs.length > 0;
}
