/**
 * Azure tag rules: names up to 512 characters without `< > % & \ ? /`, values up to 256, at most
 * 50 tags per resource.
 */
import type { SpecIssue } from '../target.js';

export const AZURE_MAX_TAGS = 50;
const TAG_NAME_MAX = 512;
const TAG_VALUE_MAX = 256;
const TAG_NAME_FORBIDDEN = /[<>%&\\?/]/;

export function checkAzureTags(
  tags: Readonly<Record<string, string>>,
  reserved: readonly string[],
): SpecIssue[] {
  const issues: SpecIssue[] = [];
  for (const [name, value] of Object.entries(tags)) {
    if (name.length === 0 || name.length > TAG_NAME_MAX || TAG_NAME_FORBIDDEN.test(name)) {
      issues.push({
        path: ['tags', name],
        message: `tag name "${name}" must be 1-${TAG_NAME_MAX} characters without < > % & \\ ? /`,
      });
    } else if (reserved.includes(name)) {
      issues.push({
        path: ['tags', name],
        message: `tag "${name}" is set by bentoctl on every resource; choose another name`,
      });
    }
    if (value.length > TAG_VALUE_MAX) {
      issues.push({
        path: ['tags', name],
        message: `tag value of "${name}" is ${value.length} characters; Azure allows ${TAG_VALUE_MAX}`,
      });
    }
  }
  const total = Object.keys(tags).length + reserved.length;
  if (total > AZURE_MAX_TAGS) {
    issues.push({
      path: ['tags'],
      message: `Azure allows ${AZURE_MAX_TAGS} tags per resource and bentoctl sets ${reserved.length}; remove ${total - AZURE_MAX_TAGS}`,
    });
  }
  return issues;
}

/**
 * Terraform reads every JSON string as a template; doubling `${` and `%{` keeps a tag exactly
 * as the config wrote it.
 */
export function literalTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  // A replacer function, because in a replacement string `$$` itself means one `$`.
  const literal = (text: string) =>
    text.replaceAll('${', () => '$${').replaceAll('%{', () => '%%{');
  return Object.fromEntries(
    Object.entries(tags).map(([name, value]) => [literal(name), literal(value)]),
  );
}
