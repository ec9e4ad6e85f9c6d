/**
 * What a plan would do, reduced to what a reviewer needs: counts per action, one entry per
 * resource with its action, and for updates and replacements the attributes that change. The
 * renderers (text, Markdown, JSON) all start from this one structure.
 */
import {
  diffAttributes,
  KNOWN_AFTER_APPLY,
  renderValue,
  SENSITIVE,
  type AttributeChange,
} from './attribute-diff.js';
import type {
  OutputChange,
  PlanJsonAction,
  ResourceChange,
  TerraformPlanJson,
} from './plan-json.js';

/** The actions a reviewer sees; a delete-and-create pair is one `replace`. */
export const SUMMARY_ACTIONS = [
  'create',
  'update',
  'replace',
  'delete',
  'read',
  'forget',
  'no-op',
] as const;
export type SummaryAction = (typeof SUMMARY_ACTIONS)[number];

export interface ResourceSummary {
  /** The stack it is in, for a deployment of several stacks. @default - the only stack */
  readonly stack?: string;
  readonly address: string;
  readonly type: string;
  readonly action: SummaryAction;
  /** Why Terraform chose the action (tainted, removed from the configuration...), when it says. */
  readonly reason?: string;
  /** The old address when the resource moved. */
  readonly previousAddress?: string;
  /** Changed attributes of an update or replace; empty for the other actions. */
  readonly changes: readonly AttributeChange[];
}

export interface OutputSummary {
  /** The stack it is in, for a deployment of several stacks. @default - the only stack */
  readonly stack?: string;
  readonly name: string;
  readonly action: SummaryAction;
  readonly before: string;
  readonly after: string;
}

export interface PlanSummary {
  readonly terraformVersion: string | null;
  readonly counts: Readonly<Record<SummaryAction, number>>;
  /** Every resource in the plan, unchanged ones included, in Terraform's (address) order. */
  readonly resources: readonly ResourceSummary[];
  /** Outputs that change. */
  readonly outputs: readonly OutputSummary[];
  /** Applying would change resources or outputs (what `-detailed-exitcode` 2 means). */
  readonly hasChanges: boolean;
  /** Something is deleted or replaced: reviewers should look twice. */
  readonly destructive: boolean;
  /**
   * A deployment of several stacks: each one in the order they apply (destroy: reverse).
   * @default - one stack
   */
  readonly stacks?: readonly StackPlanStatus[];
  /** What a reviewer must know that the resource list does not say. @default - nothing */
  readonly notes?: readonly string[];
}

/** One stack of a combined plan. */
export interface StackPlanStatus {
  readonly name: string;
  /** False: it is planned only after the stacks before it apply (see `deferredReason`). */
  readonly planned: boolean;
  readonly hasChanges: boolean;
  /** Why it was not planned yet. */
  readonly deferredReason?: string;
}

const REASONS: Readonly<Record<string, string>> = {
  replace_because_tainted: 'tainted',
  replace_because_cannot_update: 'cannot be updated in place',
  replace_by_request: 'replacement requested',
  replace_by_triggers: 'replace_triggered_by',
  delete_because_no_resource_config: 'removed from the configuration',
  delete_because_no_module: 'its module was removed',
  delete_because_wrong_repetition: 'count/for_each changed',
  delete_because_count_index: 'count decreased',
  delete_because_each_key: 'key removed from for_each',
  delete_because_no_move_target: 'moved to an address that does not exist',
  read_because_config_unknown: 'its configuration is known only after apply',
  read_because_dependency_pending: 'a dependency has pending changes',
};

/** Reduces Terraform's plan JSON to a PlanSummary. */
export function summarizePlan(plan: TerraformPlanJson): PlanSummary {
  const resources = (plan.resource_changes ?? []).map(summarizeResource);
  const outputs = Object.entries(plan.output_changes ?? {})
    .map(([name, change]) => summarizeOutput(name, change))
    .filter((output) => output.action !== 'no-op');
  const counts = Object.fromEntries(SUMMARY_ACTIONS.map((action) => [action, 0])) as Record<
    SummaryAction,
    number
  >;
  for (const resource of resources) counts[resource.action] += 1;
  return {
    terraformVersion: plan.terraform_version ?? null,
    counts,
    resources,
    outputs,
    hasChanges: resources.some((resource) => isChange(resource.action)) || outputs.length > 0,
    destructive: counts.delete + counts.replace > 0,
  };
}

/** Terraform's action list as one action; unknown combinations keep their first action. */
export function summaryAction(actions: readonly PlanJsonAction[]): SummaryAction {
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  return actions[0] ?? 'no-op';
}

/** Actions that change infrastructure (a data source read does not). */
export function isChange(action: SummaryAction): boolean {
  return action !== 'no-op' && action !== 'read';
}

function summarizeResource(resource: ResourceChange): ResourceSummary {
  const action = summaryAction(resource.change.actions);
  const why =
    resource.action_reason === undefined
      ? undefined
      : (REASONS[resource.action_reason] ?? resource.action_reason.replaceAll('_', ' '));
  const reasons = [...(why !== undefined ? [why] : []), ...contentsLost(resource, action)];
  const reason = reasons.length > 0 ? reasons.join('; ') : undefined;
  return {
    address:
      resource.deposed === undefined
        ? resource.address
        : `${resource.address} (deposed ${resource.deposed})`,
    type: resource.type,
    action,
    ...(reason === undefined ? {} : { reason }),
    ...(resource.previous_address === undefined
      ? {}
      : { previousAddress: resource.previous_address }),
    changes: action === 'update' || action === 'replace' ? diffAttributes(resource.change) : [],
  };
}

/**
 * A resource deleted with `force_delete` (an ECR repository) takes what it holds along: the
 * review and the destroy confirmation must say so rather than show a plain delete.
 */
function contentsLost(resource: ResourceChange, action: SummaryAction): string[] {
  if (action !== 'delete' && action !== 'replace') return [];
  const before = resource.change.before as { force_delete?: unknown } | null | undefined;
  return before?.force_delete === true ? ['force_delete: everything in it is deleted too'] : [];
}

function summarizeOutput(name: string, change: OutputChange): OutputSummary {
  const action = summaryAction(change.actions);
  const before = change.before_sensitive === true ? SENSITIVE : renderValue(change.before);
  let after: string;
  if (change.after_unknown === true) after = KNOWN_AFTER_APPLY;
  else if (change.after_sensitive === true && action !== 'delete') after = SENSITIVE;
  else after = renderValue(change.after);
  return { name, action, before: action === 'create' ? 'null' : before, after };
}
