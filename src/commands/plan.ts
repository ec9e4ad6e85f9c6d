import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base-command.js';
import { configFileFlag } from '../cli/config-flag.js';
import type { PlanSummary } from '../terraform/plan-summary.js';
import { renderPlanMarkdown } from '../terraform/render-plan-markdown.js';
import { renderPlanText } from '../terraform/render-plan-text.js';
import { shouldStream } from '../deploy/approval.js';
import { openRun } from '../deploy/open-run.js';
import { planDeployment } from '../deploy/plan-deployment.js';

export interface PlanResult {
  readonly deployment: string;
  readonly target: string;
  /** The saved plan, in the stack folder. */
  readonly planFile: string;
  readonly summary: PlanSummary;
  /** Where --markdown wrote the PR comment. */
  readonly markdownFile: string | null;
  /** Where --out saved the plan for `apply --plan`. */
  readonly savedTo: string | null;
}

export default class Plan extends BaseCommand {
  static override summary =
    'Show what apply would change: generate, terraform init, plan, and a summary.';

  static override description = `Generates the deployment's Terraform stack, runs terraform init (with the configured state
backend) and terraform plan -out, and summarizes the saved plan: counts of create, update,
replace and delete, one line per changed resource, and for updates the attributes that change
(sensitive values masked, values known only after apply marked).

--markdown writes the summary as a pull-request comment; --json prints it for machines.
--out saves the plan file with the stack it was made from in a folder, for a later
\`bentoctl apply --plan <dir>\` (e.g. in a CI job behind an approval) that applies exactly it.
--detailed-exitcode exits 0 when nothing would change and 2 when something would, as terraform
plan -detailed-exitcode does. Any failure exits non-zero and names the terraform step.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f deploy/staging.yaml',
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml --markdown plan.md --detailed-exitcode',
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml --json',
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml --out prod-plan --markdown prod-plan/summary.md',
  ];

  static override flags = {
    file: configFileFlag,
    markdown: Flags.string({
      summary: 'Also write the summary as Markdown (a PR comment) to this file.',
      helpValue: '<file>',
    }),
    'detailed-exitcode': Flags.boolean({
      summary: 'Exit 2 when the plan has changes, 0 when it has none.',
    }),
    out: Flags.string({
      summary: 'Save the plan and its stack in this folder, for apply --plan.',
      helpValue: '<dir>',
    }),
    image: Flags.string({
      summary: 'Image to deploy instead of the recorded one: repository[:tag][@sha256:<digest>].',
      helpValue: '<ref>',
    }),
    generate: Flags.boolean({
      summary:
        'Generate the stack first; --no-generate plans the stack already in .bentoctl/<name>/stack.',
      default: true,
      allowNo: true,
    }),
  };

  async run(): Promise<PlanResult> {
    const { flags } = await this.parse(Plan);
    const json = this.jsonEnabled();
    const run = await openRun({
      configFile: flags.file,
      stream: shouldStream(json),
      skipGenerate: !flags.generate,
      image: flags.image,
      progress: (line) => {
        if (!json) this.logToStderr(line);
      },
    });
    const { planFile, summary, savedTo } = await planDeployment(
      run,
      flags.out === undefined ? {} : { saveTo: flags.out },
    );
    const { config } = run;
    this.log(renderPlanText(summary, `Plan for ${config.name} (${config.target})`));
    let markdownFile: string | null = null;
    if (flags.markdown !== undefined) {
      markdownFile = resolve(flags.markdown);
      mkdirSync(dirname(markdownFile), { recursive: true });
      writeFileSync(
        markdownFile,
        renderPlanMarkdown(summary, { deployment: config.name, target: config.target }),
      );
      if (!json) this.logToStderr(`Wrote the Markdown summary to ${flags.markdown}`);
    }
    if (savedTo !== null && !json) {
      this.logToStderr(`Saved the plan in ${flags.out}; apply it with bentoctl apply --plan`);
    }
    // Set, not this.exit(): the --json document must still be printed after run() returns.
    if (flags['detailed-exitcode'] && summary.hasChanges) process.exitCode = 2;
    return {
      deployment: config.name,
      target: config.target,
      planFile,
      summary,
      markdownFile,
      savedTo,
    };
  }
}
