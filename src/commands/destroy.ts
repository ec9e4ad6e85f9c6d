import { BaseCommand } from '../cli/base-command.js';
import { autoApproveFlag } from '../cli/deploy-flags.js';
import { interruptible } from '../cli/interrupts.js';
import { configFileFlag } from '../cli/config-flag.js';
import type { PlanSummary } from '../terraform/plan-summary.js';
import { destroyDeployment } from '../deploy/destroy-deployment.js';
import { openDeploymentRun } from '../deploy/open-run.js';

export interface DestroyResult {
  readonly deployment: string;
  readonly target: string;
  /** False when the state held nothing to destroy. */
  readonly destroyed: boolean;
  readonly summary: PlanSummary;
}

export default class Destroy extends BaseCommand {
  static override summary =
    'Delete everything a deployment created, after typing its name to confirm.';

  static override description = `Plans the destruction of every resource in the deployment's state and shows it, asks you to \
type the deployment name (on a terminal; without one, --auto-approve is required), then applies \
that plan. It uses the stack generated last, since that configuration created the resources.`;

  // BentoCloud calls it Delete; the same command, with the same typed confirmation.
  static override aliases = ['delete'];

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f deploy/staging.yaml',
    '<%= config.bin %> <%= command.id %> -f deploy/pr-123.yaml --auto-approve',
  ];

  static override flags = {
    file: configFileFlag,
    'auto-approve': autoApproveFlag('Destroy'),
  };

  async run(): Promise<DestroyResult> {
    const { flags } = await this.parse(Destroy);
    return interruptible('destroy', async (interrupts) => {
      const opened = await openDeploymentRun({
        command: 'destroy',
        configFile: flags.file,
        autoApprove: flags['auto-approve'],
        interrupts,
        ...this.view(),
      });
      const { config } = opened.run;
      const destroyed = await destroyDeployment(opened.run, opened.approval);
      this.log(
        destroyed.destroyed
          ? `Destroyed ${config.name}.`
          : `${config.name} has nothing to destroy.`,
      );
      return {
        deployment: config.name,
        target: config.target,
        destroyed: destroyed.destroyed,
        summary: destroyed.summary,
      };
    });
  }
}
