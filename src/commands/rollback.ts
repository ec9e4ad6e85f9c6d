import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base-command.js';
import { interruptible, untilInterrupted } from '../cli/interrupts.js';
import { configFileFlag } from '../cli/config-flag.js';
import { deploymentPathsOf } from '../config/deployment-paths.js';
import { loadConfig } from '../config/load.js';
import { applyDeployment } from '../deploy/apply-deployment.js';
import { approvalFor, isInteractive, shouldStream } from '../deploy/approval.js';
import { openRun } from '../deploy/open-run.js';
import { readReleases } from '../deploy/read-releases.js';
import type { Release } from '../deploy/deployment-records.js';
import { chooseRollback, releaseImage } from '../deploy/rollback.js';
import type { ReadyResult } from '../deploy/wait-ready.js';
import { waitUntilServing } from '../deploy/wait-serving.js';
import { discoverTerraform } from '../terraform/binary.js';
import type { PlanSummary } from '../terraform/plan-summary.js';
import { renderPlanText } from '../terraform/render-plan-text.js';

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

  static override description = `Reads the release history from the Terraform state (as \`bentoctl releases\` does, so it
works from a fresh CI runner), picks --to <number> or, by default, the newest release before
the current one that ran another image, then generates the stack pinned to that release's
image digest with the config as it is now, and goes through the same plan, summary,
confirmation (--auto-approve without a terminal) and apply as \`bentoctl apply\`, waiting until
the endpoint serves that image. The new release records that it rolls back the current one to
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
    'auto-approve': Flags.boolean({
      summary: 'Apply without asking (required without a terminal).',
    }),
    wait: Flags.boolean({
      summary: 'Wait until <endpoint>/readyz answers from the restored image.',
      default: true,
      allowNo: true,
    }),
    'wait-timeout': Flags.integer({
      summary: 'Seconds to wait for the restored image to answer /readyz.',
      default: 300,
      min: 1,
    }),
  };

  async run(): Promise<RollbackResult> {
    const { flags } = await this.parse(Rollback);
    return interruptible('rollback', async (interrupts) => {
      const json = this.jsonEnabled();
      const say = (line: string) => {
        if (!json) this.logToStderr(line);
      };
      const config = loadConfig(flags.file);
      // Checked before reading the state, so CI without --auto-approve fails at once.
      const approval = approvalFor({
        command: 'rollback',
        deployment: config.name,
        autoApprove: flags['auto-approve'],
        interactive: isInteractive(json),
        signal: interrupts.signal,
        review: (summary) =>
          this.log(renderPlanText(summary, `Rollback plan for ${config.name} (${config.target})`)),
      });
      interrupts.doing(`the release history read of ${config.name}`, ['nothing was applied']);
      const history = await readReleases(config, deploymentPathsOf(config), {
        binary: await discoverTerraform(),
        stream: shouldStream(json),
        progress: say,
        interrupts,
      });
      const to = chooseRollback(config.name, history, flags.to);
      say(
        `Rolling ${config.name} back to release ${to.number} (${to.recorded_at}, bento ${to.bento_version ?? 'unknown'}): ${releaseImage(to)}`,
      );
      const run = await openRun({
        configFile: flags.file,
        stream: shouldStream(json),
        image: releaseImage(to),
        progress: say,
        interrupts,
      });
      interrupts.doing(`rollback of ${config.name}`);
      const applied = await applyDeployment(run, approval, { rollbackTo: to });
      this.log(
        applied.applied
          ? `Rolled ${config.name} back to release ${to.number}${applied.released && applied.release !== undefined ? ` (recorded as release ${applied.release.number})` : ''}.`
          : `${config.name} already runs the image of release ${to.number}; nothing applied.`,
      );
      let ready: ReadyResult | null = null;
      if (flags.wait) {
        interrupts.doing(`the wait for ${config.name} to serve release ${to.number}`, [
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
        to,
        applied: applied.applied,
        summary: applied.summary,
        release: applied.release ?? null,
        ready,
      };
    });
  }
}
