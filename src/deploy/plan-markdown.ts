/**
 * `plan --markdown`: the plan's summary as a pull-request comment, with the line saying how the
 * release moves traffic, written where the user asked.
 */
import { resolve } from 'node:path';
import { writeOutputFile } from '../cli/output-file.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { PlanSummary } from '../terraform/plan-summary.js';
import { renderPlanMarkdown } from '../terraform/render-plan-markdown.js';
import type { PlannedReleases } from './planned-release.js';
import { releasePlanLine } from './release-plan-line.js';

/** Writes the Markdown summary to `file` (its folder created); returns the absolute path. */
export function writePlanMarkdown(
  file: string,
  summary: PlanSummary,
  config: ResolvedConfig,
  releases: PlannedReleases | undefined,
  /** The lifecycle line (`lifecyclePlanLine`) when the plan terminates or restores. */
  lifecycle?: string,
): string {
  const path = resolve(file);
  writeOutputFile(
    path,
    renderPlanMarkdown(summary, {
      deployment: config.name,
      target: config.target,
      release: releasePlanLine(config, releases),
      lifecycle,
    }),
  );
  return path;
}
