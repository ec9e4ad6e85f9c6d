/** Terraform's own action symbols and words, shared by the text and Markdown renderers. */
import { SUMMARY_ACTIONS, type PlanSummary, type SummaryAction } from './plan-summary.js';

export const ACTION_SYMBOLS: Readonly<Record<SummaryAction, string>> = {
  create: '+',
  update: '~',
  replace: '-/+',
  delete: '-',
  read: '<=',
  forget: '.',
  'no-op': ' ',
};

const COUNT_WORDS: Readonly<Record<SummaryAction, string>> = {
  create: 'to create',
  update: 'to update',
  replace: 'to replace',
  delete: 'to delete',
  read: 'to read',
  forget: 'to forget',
  'no-op': 'unchanged',
};

/**
 * `1 to create, 2 to update, 0 to replace, 1 to delete`: the four main actions always (a zero
 * is information to a reviewer), the rarer ones only when present.
 */
export function countsLine(summary: PlanSummary): string {
  const always: readonly SummaryAction[] = ['create', 'update', 'replace', 'delete'];
  return SUMMARY_ACTIONS.filter((action) => always.includes(action) || summary.counts[action] > 0)
    .map((action) => `${summary.counts[action]} ${COUNT_WORDS[action]}`)
    .join(', ');
}
