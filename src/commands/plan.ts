import * as Flags from '@oclif/core/flags';
import { BaseCommand, type CommandView } from '../cli/base-command.js';
import { deployImageFlag, generateFlag } from '../cli/deploy-flags.js';
import { interruptible, type Interrupts } from '../cli/interrupts.js';
import type { BentoctlError } from '../errors/index.js';
import { configFileFlag } from '../cli/config-flag.js';
import type { PlanSummary } from '../terraform/plan-summary.js';
import { lifecyclePlanLine } from '../deploy/lifecycle-plan-line.js';
import { openLifecycleChange, type LifecycleChange } from '../deploy/lifecycle-change.js';
import type { DeploymentRun } from '../deploy/deployment-run.js';
import { renderPlanText } from '../terraform/render-plan-text.js';
import { shouldStream } from '../deploy/approval.js';
import { openRun } from '../deploy/open-run.js';
import { planDeployment } from '../deploy/plan-deployment.js';
import { writePlanMarkdown } from '../deploy/plan-markdown.js';
import type { Release } from '../deploy/deployment-records.js';

export interface PlanResult {
  readonly deployment: string;
  readonly target: string;
  /** The saved plan, in the stack folder. */
  readonly planFile: string;
  readonly summary: PlanSummary;
  /** Where --markdown wrote the PR comment. */
  readonly markdownFile: string | null;
  /** The release this plan records when applied; null when what runs does not change. */
  readonly release: Release | null;
  /** Where --out saved the plan for `apply --plan`. */
  readonly savedTo: string | null;
  /** `--terminate` / `--restore`: the lifecycle change planned; null for a plain plan. */
  readonly lifecycleChange: LifecycleChange | null;
}

export default class Plan extends BaseCommand {
  static override summary =
    'Show what apply would change: generate, terraform init, plan, and a summary.';

  static override description = `Generates the deployment's Terraform stack, runs terraform init (with the configured state \
backend) and terraform plan -out, and summarizes the saved plan: counts of create, update, \
replace and delete, one line per changed resource, and for updates the attributes that change \
(sensitive values masked, values known only after apply marked).

--markdown writes the summary as a pull-request comment; --json prints it for machines. \
--out saves the plan file with the stack it was made from in a folder, for a later \
\`bentoctl apply --plan <dir>\` (e.g. in a CI job behind an approval) that applies exactly it. \
--terminate and --restore plan what \`bentoctl terminate\` / \`restore\` would apply (the stack in \
that shape, pinned to the current release's image), for a review: the Markdown then says it \
terminates or restores the deployment and what that means on its target. Nothing is applied; \
the command itself applies it.

--detailed-exitcode exits as terraform plan -detailed-exitcode does: 0 when nothing would change, 1 on any error (a bad flag or config as well as a failed terraform step), 2 when something would change. An interrupt (Ctrl-C, SIGTERM) exits 130 either way. Any failure names the step.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f deploy/staging.yaml',
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml --markdown plan.md --detailed-exitcode',
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml --json',
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml --out prod-plan --markdown prod-plan/summary.md',
    '<%= config.bin %> <%= command.id %> -f deploy/pr-123.yaml --terminate --markdown plan.md',
  ];

  static override flags = {
    file: configFileFlag,
    markdown: Flags.string({
      summary: 'Also write the summary as Markdown (a PR comment) to this file.',
      helpValue: '<file>',
    }),
    'detailed-exitcode': Flags.boolean({
      summary: 'Exit 0 with no changes, 1 on any error, 2 with changes (as terraform does).',
    }),
    out: Flags.string({
      summary: 'Save the plan and its stack in this folder, for apply --plan.',
      helpValue: '<dir>',
    }),
    image: deployImageFlag,
    generate: generateFlag('plans'),
    terminate: Flags.boolean({
      summary:
        'Plan what `bentoctl terminate` would apply (the terminated shape, at the current release image).',
      exclusive: ['restore', 'out', 'image'],
    }),
    restore: Flags.boolean({
      summary:
        'Plan what `bentoctl restore` would apply (back to the configured size, at the current release image).',
      exclusive: ['terminate', 'out', 'image'],
    }),
  };

  // Terraform's contract: with -detailed-exitcode, 2 means "changes", so no error may exit 2. The
  // raw argv decides, since a bad flag or config fails before (or instead of) parsing.
  protected override exitCodeFor(error: BentoctlError): number {
    if (error.kind !== 'interrupted' && this.argvHas('--detailed-exitcode')) return 1;
    return error.exitCode;
  }

  async run(): Promise<PlanResult> {
    const { flags } = await this.parse(Plan);
    return interruptible('plan', async (interrupts) => {
      const change = flags.terminate ? 'terminate' : flags.restore ? 'restore' : undefined;
      const run = await openPlanRun(change, flags, interrupts, this.view());
      interrupts.doing(`plan of ${run.config.name}`);
      const { planFile, summary, releases, savedTo } = await planDeployment(run, {
        ...(flags.out === undefined ? {} : { saveTo: flags.out }),
        ...(change === undefined ? {} : { lifecycle: change }),
      });
      const { config } = run;
      this.log(renderPlanText(summary, `Plan for ${config.name} (${config.target})`));
      const lifecycle = lifecyclePlanLine(config, releases);
      if (lifecycle !== undefined) this.log(`Lifecycle: ${lifecycle}`);
      const markdownFile =
        flags.markdown === undefined
          ? null
          : writePlanMarkdown(flags.markdown, summary, config, releases, lifecycle);
      if (markdownFile !== null)
        this.logToStderr(`Wrote the Markdown summary to ${flags.markdown}`);
      if (savedTo !== null)
        this.logToStderr(`Saved the plan in ${flags.out}; apply it with bentoctl apply --plan`);
      // Set, not this.exit(): the --json document must still be printed after run() returns.
      if (flags['detailed-exitcode'] && summary.hasChanges) process.exitCode = 2;
      return {
        deployment: config.name,
        target: config.target,
        planFile,
        summary,
        markdownFile,
        release: releases?.added ?? null,
        savedTo,
        lifecycleChange: change ?? null,
      };
    });
  }
}

/**
 * The run a plain plan opens, or for `--terminate` / `--restore` the one `bentoctl terminate` or
 * `restore` would open (the stack in that shape, pinned to the current release's image), for a
 * plan only: nothing is applied, so nobody is asked.
 */
async function openPlanRun(
  change: LifecycleChange | undefined,
  flags: { readonly file: string; readonly generate: boolean; readonly image?: string | undefined },
  interrupts: Interrupts,
  view: CommandView,
): Promise<DeploymentRun> {
  if (change === undefined) {
    return openRun({
      command: 'plan',
      configFile: flags.file,
      stream: shouldStream(view.json),
      skipGenerate: !flags.generate,
      image: flags.image,
      progress: view.progress,
      interrupts,
    });
  }
  const { opened } = await openLifecycleChange(change, {
    configFile: flags.file,
    autoApprove: true,
    skipGenerate: !flags.generate,
    interrupts,
    ...view,
  });
  return { ...opened.run, command: 'plan' };
}
