import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../../cli/base-command.js';
import { interruptible } from '../../cli/interrupts.js';
import { releaseMoveFlags, releaseMoveOptions } from '../../cli/release-flags.js';
import { runReleaseMove, type ReleaseMoveResult } from '../../deploy/release-command.js';
import { renderPlanText } from '../../terraform/render-plan-text.js';

export default class ReleasePromote extends BaseCommand {
  static override summary =
    'Give the candidate revision of a canary or blue-green release all traffic.';

  static override description = `Reads the traffic state from the Terraform state (so it works from a fresh CI runner), \
generates the stack from the candidate release's image and the config as it is, and goes \
through the same plan, summary, confirmation (--auto-approve without a terminal) and apply as \
\`bentoctl apply\`, changing only the traffic split; then waits until the endpoint answers from \
the candidate. A canary is promoted only after its bake_minutes (--skip-bake to promote now). \
On aws-ecs blue-green, the apply approves the candidate (the SSM parameter ECS's lifecycle hook \
reads), ECS shifts all traffic to it at the hook's next call, and this waits until the \
endpoint answers from it. An aws-ecs canary is moved by ECS itself, so there is nothing to \
promote (RELEASE_MOVED_BY_PLATFORM).`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml',
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml --auto-approve --skip-bake',
  ];

  static override flags = {
    ...releaseMoveFlags,
    'skip-bake': Flags.boolean({
      summary: 'Promote a canary before its bake time is over.',
    }),
  };

  async run(): Promise<ReleaseMoveResult> {
    const { flags } = await this.parse(ReleasePromote);
    return interruptible('release promote', async (interrupts) => {
      const result = await runReleaseMove({
        ...releaseMoveOptions('promote', flags, this.view(), interrupts, (summary, title) =>
          this.log(renderPlanText(summary, title)),
        ),
        skipBake: flags['skip-bake'],
      });
      this.log(
        `Promoted ${result.deployment}: revision ${result.before.candidate_revision ?? '?'}${result.serving === null ? '' : ` (release ${result.serving.number})`} takes all traffic.`,
      );
      return result;
    });
  }
}
