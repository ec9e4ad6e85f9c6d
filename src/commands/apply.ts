import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base-command.js';
import { autoApproveFlag, deployImageFlag, generateFlag, waitFlags } from '../cli/deploy-flags.js';
import { interruptible } from '../cli/interrupts.js';
import { configFileFlag } from '../cli/config-flag.js';
import type { JsonValue } from '../terraform/plan-json.js';
import { displayOutputs, endpointOf } from '../terraform/outputs.js';
import type { PlanSummary } from '../terraform/plan-summary.js';
import type { ReadyResult } from '../deploy/wait-ready.js';
import type { Release } from '../deploy/deployment-records.js';
import type { AppliedDeployment } from '../deploy/apply-deployment.js';
import { applyAndWait } from '../deploy/apply-and-wait.js';
import { openDeploymentRun } from '../deploy/open-run.js';

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

  static override description = `Builds and pushes the image first with --build. Then generates the stack, plans and shows \
the summary, asks for confirmation (on a terminal; without one, --auto-approve is required), \
applies exactly the plan shown, prints the outputs and waits until <endpoint>/readyz answers \
ready from the revision just applied (the runtime reports its image digest and bento version), \
not merely from the old one still serving during a rollout; if the old one still answers at \
--wait-timeout, the platform may have rolled back and apply fails (--no-wait to skip). \
An apply that changes what runs (image digest or config) records a release in the Terraform \
state: \`bentoctl releases\` lists them, \`bentoctl rollback\` restores one. Only one plan, apply \
or destroy runs at a time per deployment folder. Any failure exits non-zero and names the step \
that failed.

--plan <dir> applies the plan \`bentoctl plan --out <dir>\` saved (e.g. in an earlier CI job, shown \
to an approver) instead of generating and planning anew; terraform refuses it when the state \
has changed since (SAVED_PLAN_STALE).`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f deploy/staging.yaml',
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml --auto-approve --wait-timeout 600',
    '<%= config.bin %> <%= command.id %> -f deploy/staging.yaml --build --auto-approve --no-wait',
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml --plan prod-plan --auto-approve',
  ];

  static override flags = {
    file: configFileFlag,
    'auto-approve': autoApproveFlag('Apply'),
    build: Flags.boolean({ summary: 'Build and push the image before generating the stack.' }),
    ...waitFlags('the revision just applied'),
    image: deployImageFlag,
    plan: Flags.string({
      summary:
        'Apply the plan saved by plan --out in this folder; nothing is generated or planned.',
      helpValue: '<dir>',
      exclusive: ['build', 'image'],
    }),
    generate: generateFlag('applies'),
  };

  async run(): Promise<ApplyResult> {
    const { flags } = await this.parse(Apply);
    return interruptible('apply', async (interrupts) => {
      const opened = await openDeploymentRun({
        command: 'apply',
        configFile: flags.file,
        autoApprove: flags['auto-approve'],
        skipGenerate: !flags.generate || flags.plan !== undefined,
        image: flags.image,
        interrupts,
        ...this.view(),
      });
      const { config } = opened.run;
      const applied = await applyAndWait(opened, {
        build: flags.build,
        ...(flags.plan === undefined ? {} : { savedPlan: flags.plan }),
        wait: flags.wait,
        waitTimeoutSeconds: flags['wait-timeout'],
        report: (done) => this.log(describeApply(config.name, done)),
      });
      return {
        deployment: config.name,
        target: config.target,
        applied: applied.applied,
        summary: applied.summary,
        outputs: displayOutputs(applied.outputs),
        endpoint: endpointOf(applied.outputs) ?? null,
        ready: applied.ready,
        release: applied.release ?? null,
        released: applied.released,
      };
    });
  }
}

/** What the apply did, its outputs, and the release it recorded. */
function describeApply(name: string, applied: AppliedDeployment): string {
  const lines = [applied.applied ? `Applied ${name}.` : `${name} is up to date; nothing applied.`];
  for (const [output, value] of Object.entries(displayOutputs(applied.outputs)))
    lines.push(`  ${output} = ${JSON.stringify(value)}`);
  if (applied.released && applied.release !== undefined)
    lines.push(`Recorded release ${applied.release.number}.`);
  return lines.join('\n');
}
