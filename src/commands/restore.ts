import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base-command.js';
import { interruptible, untilInterrupted } from '../cli/interrupts.js';
import { configFileFlag } from '../cli/config-flag.js';
import { loadConfig } from '../config/load.js';
import { approvalFor, isInteractive, shouldStream } from '../deploy/approval.js';
import { changeLifecycle } from '../deploy/lifecycle-change.js';
import type { ReadyResult } from '../deploy/wait-ready.js';
import { waitUntilServing } from '../deploy/wait-serving.js';
import { renderPlanText } from '../terraform/render-plan-text.js';
import type { LifecycleResult } from './terminate.js';

export interface RestoreResult extends LifecycleResult {
  /** The /readyz check; null with --no-wait or without an endpoint output. */
  readonly ready: ReadyResult | null;
}

export default class Restore extends BaseCommand {
  static override summary =
    'Bring a terminated deployment back at its recorded size and revision, and wait until it serves.';

  static override description = `Undoes \`bentoctl terminate\`: generates the stack as the config sizes it, pinned to the image of the current release (the one that ran when it was terminated), goes through the same plan, summary, confirmation (--auto-approve without a terminal) and apply as \`bentoctl apply\`, records the deployment as running in the Terraform state, and waits until <endpoint>/readyz answers from that image (--no-wait to skip). A deployment that is not terminated is refused (DEPLOYMENT_NOT_TERMINATED).`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f deploy/staging.yaml',
    '<%= config.bin %> <%= command.id %> -f deploy/staging.yaml --auto-approve --wait-timeout 600',
  ];

  static override flags = {
    file: configFileFlag,
    'auto-approve': Flags.boolean({
      summary: 'Restore without asking (required without a terminal).',
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
    generate: Flags.boolean({
      summary:
        'Generate the stack first; --no-generate applies the stack in .bentoctl/<name>/stack as it is.',
      default: true,
      allowNo: true,
    }),
  };

  async run(): Promise<RestoreResult> {
    const { flags } = await this.parse(Restore);
    return interruptible('restore', async (interrupts) => {
      const json = this.jsonEnabled();
      const config = loadConfig(flags.file);
      const approval = approvalFor({
        command: 'restore',
        deployment: config.name,
        autoApprove: flags['auto-approve'],
        interactive: isInteractive(json),
        signal: interrupts.signal,
        review: (summary) =>
          this.log(renderPlanText(summary, `Restore plan for ${config.name} (${config.target})`)),
      });
      interrupts.doing(`restore of ${config.name}`);
      const changed = await changeLifecycle({
        config,
        change: 'restore',
        approval,
        stream: shouldStream(json),
        generate: flags.generate,
        progress: (line) => this.logToStderr(line),
        interrupts,
      });
      this.log(`Restored ${config.name}.`);
      let ready: ReadyResult | null = null;
      if (flags.wait) {
        interrupts.doing(`the wait for ${config.name} to serve again`, [
          `${config.name} is restored; \`bentoctl status -f ${flags.file}\` shows whether it serves`,
        ]);
        ready = await untilInterrupted(
          waitUntilServing(changed.applied, {
            timeoutSeconds: flags['wait-timeout'],
            progress: (line) => this.logToStderr(line),
            log: (line) => this.log(line),
          }),
          interrupts,
        );
      }
      return {
        deployment: config.name,
        target: config.target,
        applied: changed.applied.applied,
        summary: changed.applied.summary,
        lifecycle: changed.lifecycle ?? null,
        release: changed.release?.number ?? null,
        ready,
      };
    });
  }
}
