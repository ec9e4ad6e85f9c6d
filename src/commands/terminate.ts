import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base-command.js';
import { interruptible } from '../cli/interrupts.js';
import { configFileFlag } from '../cli/config-flag.js';
import { loadConfig } from '../config/load.js';
import { approvalFor, isInteractive, shouldStream } from '../deploy/approval.js';
import { changeLifecycle } from '../deploy/lifecycle-change.js';
import type { LifecycleRecord } from '../deploy/lifecycle-state.js';
import type { PlanSummary } from '../terraform/plan-summary.js';
import { renderPlanText } from '../terraform/render-plan-text.js';

export interface LifecycleResult {
  readonly deployment: string;
  readonly target: string;
  /** False when the plan had no changes. */
  readonly applied: boolean;
  readonly summary: PlanSummary;
  /** The lifecycle record in the Terraform state now. */
  readonly lifecycle: LifecycleRecord | null;
  /** The release whose image the stack pins; null when none is recorded. */
  readonly release: number | null;
}

export default class Terminate extends BaseCommand {
  static override summary =
    'Stop serving and scale compute to zero, keeping repository, images, release history and config.';

  static override description = `The endpoint stops answering and compute goes to zero: aws-ecs holds the service at 0 tasks (autoscaling 0..0; the load balancer stays and answers 503), google-cloud-run scales to no instances and takes ingress internal-only, azure-aks sets the Deployment to 0 replicas without its autoscaler, aws-ec2-gpu holds its group at 0 instances or stops its single instance. The repository, images, release history, Terraform state and config stay.

The stack is generated in that shape, pinned to the image of the current release, and goes through the same plan, summary, confirmation (--auto-approve without a terminal) and apply as \`bentoctl apply\`. The Terraform state then records the deployment as terminated, so a later plain \`apply\` (a CI run) refuses (DEPLOYMENT_TERMINATED) instead of bringing it back; \`bentoctl restore\` does.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f deploy/staging.yaml',
    '<%= config.bin %> <%= command.id %> -f deploy/pr-123.yaml --auto-approve',
  ];

  static override flags = {
    file: configFileFlag,
    'auto-approve': Flags.boolean({
      summary: 'Terminate without asking (required without a terminal).',
    }),
    generate: Flags.boolean({
      summary:
        'Generate the stack in its terminated shape first; --no-generate applies the stack in .bentoctl/<name>/stack as it is.',
      default: true,
      allowNo: true,
    }),
  };

  async run(): Promise<LifecycleResult> {
    const { flags } = await this.parse(Terminate);
    return interruptible('terminate', async (interrupts) => {
      const json = this.jsonEnabled();
      const config = loadConfig(flags.file);
      const approval = approvalFor({
        command: 'terminate',
        deployment: config.name,
        autoApprove: flags['auto-approve'],
        interactive: isInteractive(json),
        signal: interrupts.signal,
        review: (summary) =>
          this.log(renderPlanText(summary, `Terminate plan for ${config.name} (${config.target})`)),
      });
      interrupts.doing(`terminate of ${config.name}`);
      const changed = await changeLifecycle({
        config,
        change: 'terminate',
        approval,
        stream: shouldStream(json),
        generate: flags.generate,
        progress: (line) => this.logToStderr(line),
        interrupts,
      });
      this.log(
        `${config.name} is terminated${changed.applied.applied ? '' : ' (nothing changed)'}; \`bentoctl restore -f ${flags.file}\` brings it back.`,
      );
      return {
        deployment: config.name,
        target: config.target,
        applied: changed.applied.applied,
        summary: changed.applied.summary,
        lifecycle: changed.lifecycle ?? null,
        release: changed.release?.number ?? null,
      };
    });
  }
}
