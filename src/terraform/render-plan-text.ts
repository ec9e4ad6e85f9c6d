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
  const width = Math.max(...changed.map((resource) => resource.address.length));
  for (const resource of changed) {
    lines.push(
      ` ${ACTION_SYMBOLS[resource.action].padStart(3)} ${resource.address.padEnd(width)}  ${actionText(resource)}`,
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
        ` ${ACTION_SYMBOLS[output.action].padStart(3)} ${output.name}: ${output.before} → ${output.after}`,
      );
    }
  }
  return lines.join('\n');
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
