import { BaseCommand } from '../cli/base-command.js';
import { autoApproveFlag, generateFlag, waitFlags } from '../cli/deploy-flags.js';
import { interruptible } from '../cli/interrupts.js';
import { configFileFlag } from '../cli/config-flag.js';
import { applyAndWait } from '../deploy/apply-and-wait.js';
import {
  lifecycleResult,
  openLifecycleChange,
  type LifecycleResult,
} from '../deploy/lifecycle-change.js';
import type { ReadyResult } from '../deploy/wait-ready.js';

export interface RestoreResult extends LifecycleResult {
  /** The /readyz check; null with --no-wait or without an endpoint output. */
  readonly ready: ReadyResult | null;
}

export default class Restore extends BaseCommand {
  static override summary =
    'Bring a terminated deployment back at its recorded size and revision, and wait until it serves.';

  static override description = `Undoes \`bentoctl terminate\`: generates the stack as the config sizes it, pinned to the image \
of the current release (the one that ran when it was terminated), goes through the same plan, \
summary, confirmation (--auto-approve without a terminal) and apply as \`bentoctl apply\`, \
records the deployment as running in the Terraform state, and waits until <endpoint>/readyz \
answers from that image (--no-wait to skip). A deployment that is not terminated is refused \
(DEPLOYMENT_NOT_TERMINATED).`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f deploy/staging.yaml',
    '<%= config.bin %> <%= command.id %> -f deploy/staging.yaml --auto-approve --wait-timeout 600',
  ];

  static override flags = {
    file: configFileFlag,
    'auto-approve': autoApproveFlag('Restore'),
    ...waitFlags('the restored image'),
    generate: generateFlag('restores with'),
  };

  async run(): Promise<RestoreResult> {
    const { flags } = await this.parse(Restore);
    return interruptible('restore', async (interrupts) => {
      const changing = await openLifecycleChange('restore', {
        configFile: flags.file,
        autoApprove: flags['auto-approve'],
        skipGenerate: !flags.generate,
        interrupts,
        ...this.view(),
      });
      const applied = await applyAndWait(changing.opened, {
        lifecycle: 'restore',
        wait: flags.wait,
        waitTimeoutSeconds: flags['wait-timeout'],
        report: () => this.log(`Restored ${changing.opened.run.config.name}.`),
      });
      return { ...lifecycleResult(changing, applied), ready: applied.ready };
    });
  }
}
