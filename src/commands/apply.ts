import { existsSync } from 'node:fs';
import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base-command.js';
import { interruptible, untilInterrupted } from '../cli/interrupts.js';
import { configFileFlag } from '../cli/config-flag.js';
import type { JsonValue } from '../terraform/plan-json.js';
import { displayOutputs, endpointOf } from '../terraform/outputs.js';
import type { PlanSummary } from '../terraform/plan-summary.js';
import { renderPlanText } from '../terraform/render-plan-text.js';
import type { ReadyResult } from '../deploy/wait-ready.js';
import { waitUntilServing } from '../deploy/wait-serving.js';
import type { Release } from '../deploy/deployment-records.js';
import { applyDeployment } from '../deploy/apply-deployment.js';
import { approvalFor, isInteractive, shouldStream } from '../deploy/approval.js';
import { openRun } from '../deploy/open-run.js';

export interface ApplyResult {
  readonly deployment: string;
  readonly target: string;
  /** False when the plan had no changes. */
  readonly applied: boolean;
  readonly summary: PlanSummary;
  /** Terraform outputs, sensitive values masked. */
  readonly outputs: Record<string, JsonValue>;
  readonly endpoint: string | null;
  /** The /readyz check; null with --no-wait or without an endpoint output. */
  readonly ready: ReadyResult | null;
  /** The current release in the state's history after this apply. */
  readonly release: Release | null;
  /** This apply recorded `release` (what runs changed). */
  readonly released: boolean;
}

export default class Apply extends BaseCommand {
  static override summary =
    'Deploy: generate, plan, confirm, terraform apply, then wait until the new revision serves.';

  static override description = `Builds and pushes the image first with --build. Then generates the stack, plans and shows
the summary, asks for confirmation (on a terminal; without one, --auto-approve is required),
applies exactly the plan shown, prints the outputs and waits until <endpoint>/readyz answers
ready from the revision just applied (the runtime reports its image digest and bento version),
not merely from the old one still serving during a rollout; if the old one still answers at
--wait-timeout, the platform may have rolled back and apply fails (--no-wait to skip).
An apply that changes what runs (image digest or config) records a release in the Terraform
state: \`bentoctl releases\` lists them, \`bentoctl rollback\` restores one. Only one plan, apply
or destroy runs at a time per deployment folder. Any failure exits non-zero and names the step
that failed.

--plan <dir> applies the plan \`bentoctl plan --out <dir>\` saved (e.g. in an earlier CI job, shown
to an approver) instead of generating and planning anew; terraform refuses it when the state
has changed since (SAVED_PLAN_STALE).`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f deploy/staging.yaml',
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml --auto-approve --wait-timeout 600',
    '<%= config.bin %> <%= command.id %> -f deploy/staging.yaml --build --auto-approve --no-wait',
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml --plan prod-plan --auto-approve',
  ];

  static override flags = {
    file: configFileFlag,
    'auto-approve': Flags.boolean({
      summary: 'Apply without asking (required without a terminal).',
    }),
    build: Flags.boolean({ summary: 'Build and push the image before generating the stack.' }),
    wait: Flags.boolean({
      summary: 'Wait until <endpoint>/readyz answers from the revision just applied.',
      default: true,
      allowNo: true,
    }),
    'wait-timeout': Flags.integer({
      summary: 'Seconds to wait for the new revision to answer /readyz.',
      default: 300,
      min: 1,
    }),
    image: Flags.string({
      summary: 'Image to deploy instead of the recorded one: repository[:tag][@sha256:<digest>].',
      helpValue: '<ref>',
    }),
    plan: Flags.string({
      summary:
        'Apply the plan saved by plan --out in this folder; nothing is generated or planned.',
      helpValue: '<dir>',
      exclusive: ['build', 'image'],
    }),
    generate: Flags.boolean({
      summary:
        'Generate the stack first; --no-generate applies the stack already in .bentoctl/<name>/stack.',
      default: true,
      allowNo: true,
    }),
  };

  async run(): Promise<ApplyResult> {
    const { flags } = await this.parse(Apply);
    return interruptible('apply', async (interrupts) => {
      const json = this.jsonEnabled();
      const say = (line: string) => {
        if (!json) this.logToStderr(line);
      };
      const run = await openRun({
        configFile: flags.file,
        stream: shouldStream(json),
        skipGenerate: !flags.generate || flags.plan !== undefined,
        image: flags.image,
        progress: say,
        interrupts,
      });
      interrupts.doing(`apply of ${run.config.name}`);
      const { config } = run;
      const approval = approvalFor({
        command: 'apply',
        deployment: config.name,
        autoApprove: flags['auto-approve'],
        interactive: isInteractive(json),
        signal: interrupts.signal,
        review: (summary) =>
          this.log(renderPlanText(summary, `Plan for ${config.name} (${config.target})`)),
      });
      // Without --build, a missing build record also calls for a build.
      if (
        flags.build ||
        (flags.generate &&
          flags.plan === undefined &&
          flags.image === undefined &&
          !existsSync(run.paths.buildRecord))
      ) {
        say(`Building and pushing the image for ${config.name}`);
        interrupts.doing(`the image build of ${config.name}`, ['nothing was applied']);
        // The build takes no signal here; a Ctrl-C ends the wait, and the process with it.
        // dockerode and the registry clients load only when a build runs.
        const { buildAndPush } = await import('../builders/workflow-steps.js');
        await untilInterrupted(buildAndPush(config), interrupts);
        interrupts.doing(`apply of ${config.name}`);
      }
      const applied = await applyDeployment(
        run,
        approval,
        flags.plan === undefined ? {} : { savedPlan: flags.plan },
      );
      const outputs = displayOutputs(applied.outputs);
      const endpoint = endpointOf(applied.outputs) ?? null;
      this.log(
        applied.applied
          ? `Applied ${config.name}.`
          : `${config.name} is up to date; nothing applied.`,
      );
      for (const [name, value] of Object.entries(outputs))
        this.log(`  ${name} = ${JSON.stringify(value)}`);
      if (applied.released && applied.release !== undefined)
        this.log(`Recorded release ${applied.release.number}.`);
      let ready: ReadyResult | null = null;
      if (flags.wait && endpoint !== null) {
        interrupts.doing(`the wait for ${endpoint}/readyz`, [
          `${config.name} is applied; \`bentoctl status -f ${flags.file}\` shows whether it serves`,
        ]);
        ready = await untilInterrupted(
          waitUntilServing(applied, {
            timeoutSeconds: flags['wait-timeout'],
            progress: say,
            log: (line) => this.log(line),
          }),
          interrupts,
        );
      }
      return {
        deployment: config.name,
        target: config.target,
        applied: applied.applied,
        summary: applied.summary,
        outputs,
        endpoint,
        ready,
        release: applied.release ?? null,
        released: applied.released,
      };
    });
  }
}
