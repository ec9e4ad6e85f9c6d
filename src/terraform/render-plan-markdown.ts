/**
 * A plan summary as a pull-request comment: the counts and the resource list up front, the
 * attribute changes folded in <details>, and a warning banner when anything is deleted or
 * replaced. The output depends only on the summary (no dates, no versions), so re-posting the
 * same plan gives the same comment and snapshot tests stay stable.
 */
import { ACTION_SYMBOLS, countsLine } from './plan-symbols.js';
import { isChange, type PlanSummary, type ResourceSummary } from './plan-summary.js';
import { displayAddress, pendingStackLines } from './render-plan-text.js';

export interface MarkdownPlanOptions {
  readonly deployment: string;
  readonly target: string;
  /** The release strategy and the traffic after the apply, one line. @default - not shown */
  readonly release?: string | undefined;
  /** A terminate or restore this plan makes, one line. @default - not shown */
  readonly lifecycle?: string | undefined;
}

/** The marker CI looks for to update its earlier comment instead of adding a new one. */
export function planCommentMarker(deployment: string): string {
  return `<!-- bentoctl-plan: ${deployment} -->`;
}

export function renderPlanMarkdown(summary: PlanSummary, options: MarkdownPlanOptions): string {
  const blocks = [
    planCommentMarker(options.deployment),
    `### Terraform plan for \`${options.deployment}\` (${options.target})`,
  ];
  if (!summary.hasChanges) {
    blocks.push(
      `No changes: the infrastructure matches the configuration (${summary.resources.length} resources).`,
    );
    return `${blocks.join('\n\n')}\n`;
  }
  // Above the counts: stopping (or starting) a deployment matters more than any resource line.
  if (options.lifecycle !== undefined) {
    blocks.push(`> [!IMPORTANT]\n> **Lifecycle:** ${escapeHtml(options.lifecycle)}`);
  }
  const banner = destructiveBanner(summary);
  if (banner !== undefined) blocks.push(banner);
  blocks.push(`**${countsLine(summary)}**`);
  if (options.release !== undefined) blocks.push(`**Release:** ${escapeHtml(options.release)}`);
  const changed = summary.resources.filter((resource) => isChange(resource.action));
  if (changed.length > 0) blocks.push(resourceTable(changed));
  const detailed = changed.filter((resource) => resource.changes.length > 0);
  if (detailed.length > 0) {
    blocks.push(
      details(
        `Changed attributes (${detailed.length} ${detailed.length === 1 ? 'resource' : 'resources'})`,
        detailed.map(attributeTable).join('\n\n'),
      ),
    );
  }
  if (summary.outputs.length > 0) {
    const rows = summary.outputs.map(
      (output) =>
        `| ${output.action} | ${code(output.stack === undefined ? output.name : `${output.stack}: ${output.name}`)} | ${code(output.before)} | ${code(output.after)} |`,
    );
    blocks.push(
      details(
        `Outputs (${summary.outputs.length})`,
        ['| Action | Output | Before | After |', '|---|---|---|---|', ...rows].join('\n'),
      ),
    );
  }
  const pending = pendingStackLines(summary);
  if (pending.length > 0) blocks.push(pending.map((line) => `- ${escapeHtml(line)}`).join('\n'));
  if (summary.notes !== undefined && summary.notes.length > 0) {
    blocks.push(
      ['> [!NOTE]', ...summary.notes.map((note) => `> - ${escapeHtml(note)}`)].join('\n'),
    );
  }
  return `${blocks.join('\n\n')}\n`;
}

function destructiveBanner(summary: PlanSummary): string | undefined {
  const { delete: deleted, replace: replaced } = summary.counts;
  if (deleted + replaced === 0) return undefined;
  const parts = [
    deleted > 0 ? `**deletes ${deleted}** ${deleted === 1 ? 'resource' : 'resources'}` : undefined,
    replaced > 0
      ? `**replaces ${replaced}** ${replaced === 1 ? 'resource' : 'resources'}`
      : undefined,
  ].filter((part) => part !== undefined);
  const addresses = summary.resources
    .filter((resource) => resource.action === 'delete' || resource.action === 'replace')
    .map((resource) => `${code(displayAddress(resource))} (${resource.action})`);
  return [
    '> [!WARNING]',
    `> This plan ${parts.join(' and ')}. Anything they hold is lost and they are unavailable while recreated:`,
    ...addresses.map((address) => `> - ${address}`),
  ].join('\n');
}

function resourceTable(resources: readonly ResourceSummary[]): string {
  const rows = resources.map((resource) => {
    const notes = [
      resource.reason,
      resource.previousAddress === undefined
        ? undefined
        : `moved from ${code(resource.previousAddress)}`,
    ]
      .filter((note) => note !== undefined)
      .join('; ');
    return `| ${code(ACTION_SYMBOLS[resource.action])} | ${resource.action} | ${code(displayAddress(resource))} | ${notes} |`;
  });
  return ['| | Action | Resource | Note |', '|---|---|---|---|', ...rows].join('\n');
}

function attributeTable(resource: ResourceSummary): string {
  const rows = resource.changes.map((change) => {
    const forces = change.forcesReplacement ? ' (forces replacement)' : '';
    return `| ${code(change.path)}${forces} | ${code(change.before)} | ${code(change.after)} |`;
  });
  return [
    `${code(displayAddress(resource))} (${resource.action})`,
    '',
    '| Attribute | Before | After |',
    '|---|---|---|',
    ...rows,
  ].join('\n');
}

function details(summary: string, body: string): string {
  return `<details><summary>${escapeHtml(summary)}</summary>\n\n${body}\n\n</details>`;
}

/**
 * Inline code that survives a table cell: <code> with HTML escaping, because a backtick span
 * cannot hold a `|` or a backtick of its own inside GitHub tables.
 */
function code(text: string): string {
  return `<code>${escapeHtml(text).replaceAll('|', '&#124;')}</code>`;
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
