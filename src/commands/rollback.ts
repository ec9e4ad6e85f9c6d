import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base-command.js';
import { autoApproveFlag, waitFlags } from '../cli/deploy-flags.js';
import { interruptible } from '../cli/interrupts.js';
import { configFileFlag } from '../cli/config-flag.js';
import { applyAndWait } from '../deploy/apply-and-wait.js';
import { openDeploymentRun } from '../deploy/open-run.js';
import type { Release } from '../deploy/deployment-records.js';
import { prepareRollback } from '../deploy/rollback.js';
import type { ReadyResult } from '../deploy/wait-ready.js';
import type { PlanSummary } from '../terraform/plan-summary.js';

export interface RollbackResult {
  readonly deployment: string;
  /** The release whose image was restored. */
  readonly to: Release;
  /** False when the plan had no changes. */
  readonly applied: boolean;
  readonly summary: PlanSummary;
  /** The release this rollback recorded (or the current one when nothing changed). */
  readonly release: Release | null;
  readonly ready: ReadyResult | null;
}

export default class Rollback extends BaseCommand {
  static override summary = "Deploy an earlier release's exact image digest again.";

  static override description = `Reads the release history from the Terraform state (as \`bentoctl releases\` does, so it \
works from a fresh CI runner), picks --to <number> or, by default, the newest release before \
the current one that ran another image, then generates the stack pinned to that release's \
image digest with the config as it is now, and goes through the same plan, summary, \
confirmation (--auto-approve without a terminal) and apply as \`bentoctl apply\`, waiting until \
the endpoint serves that image. The new release records that it rolls back the current one to \
the chosen one.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml',
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml --to 12 --auto-approve',
  ];

  static override flags = {
    file: configFileFlag,
    to: Flags.integer({
      summary:
        'Release number to restore (see `bentoctl releases`); default: the newest earlier one that ran another image.',
      min: 1,
      helpValue: '<number>',
    }),
    'auto-approve': autoApproveFlag('Apply'),
    ...waitFlags('the restored image'),
  };

  async run(): Promise<RollbackResult> {
    const { flags } = await this.parse(Rollback);
    return interruptible('rollback', async (interrupts) => {
      const { to, opened } = await prepareRollback(
        await openDeploymentRun({
          command: 'rollback',
          configFile: flags.file,
          autoApprove: flags['auto-approve'],
          interrupts,
          ...this.view(),
        }),
        flags.to,
      );
      const name = opened.run.config.name;
      const applied = await applyAndWait(opened, {
        rollbackTo: to,
        wait: flags.wait,
        waitTimeoutSeconds: flags['wait-timeout'],
        report: (done) =>
          this.log(
            done.applied
              ? `Rolled ${name} back to release ${to.number}${done.released && done.release !== undefined ? ` (recorded as release ${done.release.number})` : ''}.`
              : `${name} already runs the image of release ${to.number}; nothing applied.`,
          ),
      });
      return {
        deployment: name,
        to,
        applied: applied.applied,
        summary: applied.summary,
        release: applied.release ?? null,
        ready: applied.ready,
      };
    });
  }
}
