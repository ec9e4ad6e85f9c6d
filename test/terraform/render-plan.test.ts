/**
 * The Markdown PR comment and the terminal text for each target's plan fixture. One full
 * snapshot per target makes any change to a reviewer's view visible in the diff; the intent
 * checks say what must hold whatever the layout.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePlanJson } from '../../src/terraform/plan-json.js';
import { summarizePlan, type PlanSummary } from '../../src/terraform/plan-summary.js';
import { planCommentMarker, renderPlanMarkdown } from '../../src/terraform/render-plan-markdown.js';
import { renderPlanText } from '../../src/terraform/render-plan-text.js';
import { countsLine } from '../../src/terraform/plan-symbols.js';
import { TARGET_NAMES } from '../../src/targets/names.js';

function summaryOf(target: string): PlanSummary {
  const text = readFileSync(new URL(`../fixtures/plans/${target}.json`, import.meta.url), 'utf8');
  return summarizePlan(parsePlanJson(text));
}

const SECRETS =
  /old-token-value|new-token-value|s3cr3t-token-v2|old-api-token|new-api-token|LS0tLS1CRUdJTi/;

describe.each(TARGET_NAMES)('plan rendering for %s', (target) => {
  const summary = summaryOf(target);
  const markdown = renderPlanMarkdown(summary, { deployment: `demo-${target}`, target });

  it('GIVEN the plan THEN the Markdown comment matches its snapshot', async () => {
    await expect(markdown).toMatchFileSnapshot(`./__snapshots__/plan-${target}.md`);
  });

  it('GIVEN a destructive plan THEN the comment opens with a warning naming what is deleted or replaced', () => {
    const bannerAt = markdown.indexOf('> [!WARNING]');
    expect(bannerAt).toBeGreaterThan(0);
    expect(bannerAt).toBeLessThan(markdown.indexOf('| | Action | Resource |'));
    for (const resource of summary.resources.filter(
      (r) => r.action === 'delete' || r.action === 'replace',
    )) {
      expect(markdown).toContain(`> - <code>${resource.address}</code> (${resource.action})`);
    }
  });

  it('GIVEN the plan THEN attribute changes are folded and no secret appears anywhere', () => {
    expect(markdown).toMatch(/<details><summary>Changed attributes \(\d+ resources?\)<\/summary>/);
    expect(markdown.startsWith(planCommentMarker(`demo-${target}`))).toBe(true);
    expect(markdown).not.toMatch(SECRETS);
    expect(renderPlanText(summary, 'plan')).not.toMatch(SECRETS);
  });

  it('GIVEN the same plan twice THEN the comment is byte-identical', () => {
    expect(renderPlanMarkdown(summaryOf(target), { deployment: `demo-${target}`, target })).toBe(
      markdown,
    );
  });
});

describe('terminal rendering', () => {
  it('GIVEN the ECS plan THEN each changed resource is one line with its symbol and its attributes below', async () => {
    const text = renderPlanText(summaryOf('aws-ecs'), 'Plan for iris-ecs (aws-ecs)');

    expect(text.split('\n')[0]).toBe(
      'Plan for iris-ecs (aws-ecs): 1 to create, 2 to update, 1 to replace, 1 to delete, 1 unchanged.',
    );
    expect(text).toMatch(
      /^ -\/\+ aws_ecs_task_definition\.task +replace \(cannot be updated in place\)$/m,
    );
    expect(text).toMatch(/^ {6}desired_count: 1 → 2$/m);
    expect(text).toMatch(/container_definitions\[0\]\.image: .*# forces replacement$/m);
    expect(text).not.toContain('aws_lb.alb');
    await expect(text).toMatchFileSnapshot('./__snapshots__/plan-aws-ecs.txt');
  });

  it('GIVEN a canary release line THEN the comment shows it under the counts, and without one nothing', () => {
    const summary = summaryOf('aws-ecs');
    const release = 'canary: 10 % to bento v2 for 15 min, then 100 % (or back)';
    const withLine = renderPlanMarkdown(summary, { deployment: 'x', target: 'aws-ecs', release });
    const without = renderPlanMarkdown(summary, { deployment: 'x', target: 'aws-ecs' });

    expect(withLine).toContain(`\n\n**Release:** ${release}\n\n`);
    expect(withLine.indexOf('**Release:**')).toBeGreaterThan(withLine.indexOf(countsLine(summary)));
    expect(without).not.toContain('Release:');
  });

  it('GIVEN a terminate line THEN the comment opens with it as an important note, above the counts', () => {
    const summary = summaryOf('aws-ecs');
    const lifecycle = 'Terminates x at release 2: no tasks <run>.';
    const withLine = renderPlanMarkdown(summary, { deployment: 'x', target: 'aws-ecs', lifecycle });

    expect(withLine).toContain(
      '\n\n> [!IMPORTANT]\n> **Lifecycle:** Terminates x at release 2: no tasks &lt;run&gt;.\n\n',
    );
    expect(withLine.indexOf('**Lifecycle:**')).toBeLessThan(withLine.indexOf(countsLine(summary)));
    expect(renderPlanMarkdown(summary, { deployment: 'x', target: 'aws-ecs' })).not.toContain(
      'Lifecycle:',
    );
  });

  it('GIVEN a plan without changes THEN it says so in one line', () => {
    const summary = summarizePlan(parsePlanJson('{"format_version":"1.2","resource_changes":[]}'));

    expect(renderPlanText(summary, 'Plan for x')).toBe(
      'Plan for x: no changes; the infrastructure matches the configuration (0 resources).',
    );
    expect(renderPlanMarkdown(summary, { deployment: 'x', target: 'aws-ecs' })).not.toContain(
      '[!WARNING]',
    );
  });
});
