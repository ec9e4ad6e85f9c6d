/**
 * Google Cloud label rules: keys start with a lowercase letter; keys and values use lowercase
 * letters, digits, `_` and `-`, up to 63 characters; at most 64 labels per resource. (Google also
 * allows international lowercase letters; bentoctl keeps to ASCII so the same labels work on
 * every cloud.)
 */
import type { SpecIssue } from '../target.js';

export const GCP_LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
export const GCP_LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;
export const GCP_MAX_LABELS = 64;

/** Checks the user's `spec.labels`; `reserved` are the keys bentoctl sets itself. */
export function checkGcpLabels(
  labels: Readonly<Record<string, string>>,
  reserved: readonly string[],
): SpecIssue[] {
  const issues: SpecIssue[] = [];
  for (const [key, value] of Object.entries(labels)) {
    if (!GCP_LABEL_KEY.test(key)) {
      issues.push({
        path: ['labels', key],
        message: `label key "${key}" must start with a lowercase letter and use only lowercase letters, digits, _ and - (at most 63)`,
        suggestion: suggestLabel(key),
      });
    } else if (reserved.includes(key)) {
      issues.push({
        path: ['labels', key],
        message: `label "${key}" is set by bentoctl on every resource; choose another key`,
      });
    }
    if (!GCP_LABEL_VALUE.test(value)) {
      issues.push({
        path: ['labels', key],
        message: `label value "${value}" must use only lowercase letters, digits, _ and - (at most 63)`,
        suggestion: suggestLabel(value),
      });
    }
  }
  const total = Object.keys(labels).length + reserved.length;
  if (total > GCP_MAX_LABELS) {
    issues.push({
      path: ['labels'],
      message: `Google Cloud allows ${GCP_MAX_LABELS} labels per resource and bentoctl sets ${reserved.length}; remove ${total - GCP_MAX_LABELS}`,
    });
  }
  return issues;
}

function suggestLabel(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 63);
}
