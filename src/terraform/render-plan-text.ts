/** A plan summary for a terminal: Terraform's symbols, one line per changed resource. */
import { ACTION_SYMBOLS, countsLine } from './plan-symbols.js';
import { isChange, type PlanSummary, type ResourceSummary } from './plan-summary.js';

/** Renders `summary` under a title such as `Plan for iris-prod (aws-ecs)`. */
export function renderPlanText(summary: PlanSummary, title: string): string {
  if (!summary.hasChanges) {
    return `${title}: no changes; the infrastructure matches the configuration (${summary.resources.length} resources).`;
  }
  const lines = [`${title}: ${countsLine(summary)}.`, ''];
  const changed = summary.resources.filter((resource) => isChange(resource.action));
  const width = Math.max(0, ...changed.map((resource) => displayAddress(resource).length));
  for (const resource of changed) {
    lines.push(
      ` ${ACTION_SYMBOLS[resource.action].padStart(3)} ${displayAddress(resource).padEnd(width)}  ${actionText(resource)}`,
    );
    for (const change of resource.changes) {
      const note = change.forcesReplacement ? '  # forces replacement' : '';
      lines.push(`      ${change.path}: ${change.before} → ${change.after}${note}`);
    }
  }
  if (summary.outputs.length > 0) {
    lines.push('', 'Outputs:');
    for (const output of summary.outputs) {
      lines.push(
        ` ${ACTION_SYMBOLS[output.action].padStart(3)} ${output.stack === undefined ? '' : `${output.stack}: `}${output.name}: ${output.before} → ${output.after}`,
      );
    }
  }
  const pending = pendingStackLines(summary);
  if (pending.length > 0) lines.push('', ...pending);
  if (summary.notes !== undefined && summary.notes.length > 0) {
    lines.push('', 'Notes:', ...summary.notes.map((note) => ` - ${note}`));
  }
  return lines.join('\n');
}

/** The address with its stack in front, for a deployment of several stacks. */
export function displayAddress(resource: ResourceSummary): string {
  return resource.stack === undefined ? resource.address : `${resource.stack}: ${resource.address}`;
}

/** A line per stack that is not planned yet, saying when it will be. */
export function pendingStackLines(summary: PlanSummary): string[] {
  return (summary.stacks ?? [])
    .filter((stack) => !stack.planned)
    .map((stack) => `Stack ${stack.name}: ${stack.deferredReason ?? 'not planned yet'}.`);
}

function actionText(resource: ResourceSummary): string {
  const details = [
    resource.reason,
    resource.previousAddress === undefined ? undefined : `moved from ${resource.previousAddress}`,
  ]
    .filter((detail) => detail !== undefined)
    .join('; ');
  return details === '' ? resource.action : `${resource.action} (${details})`;
}
