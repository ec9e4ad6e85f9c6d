import { BaseCommand } from '../../cli/base-command.js';
import { interruptible } from '../../cli/interrupts.js';
import { releaseMoveFlags, releaseMoveOptions } from '../../cli/release-flags.js';
import { runReleaseMove, type ReleaseMoveResult } from '../../deploy/release-command.js';
import { renderPlanText } from '../../terraform/render-plan-text.js';

export default class ReleaseAbort extends BaseCommand {
  static override summary =
    'Send all traffic of a canary or blue-green release back to the stable revision.';

  static override description = `Reads the traffic state from the Terraform state, generates the stack from the candidate \
release's image and the config as it is, and goes through the same plan, summary, confirmation \
(--auto-approve without a terminal) and apply as \`bentoctl apply\`, changing only the traffic \
split: the stable revision gets 100 %, the candidate 0 % (it keeps its candidate tag and URL, \
for a look at what went wrong). Then waits until the endpoint answers from the stable \
revision. The next apply of a new revision starts a new candidate. On aws-ecs blue-green, the \
apply rejects the candidate, and ECS rolls its deployment back at the lifecycle hook's next \
call; the stack is generated from the stable release's image there, so the state names what \
ECS goes back to. On aws-ecs canary, ECS's alarms roll it back by themselves (RELEASE_MOVED_BY_PLATFORM); \
\`bentoctl rollback\` goes back after it finished.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml',
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml --auto-approve',
  ];

  static override flags = releaseMoveFlags;

  async run(): Promise<ReleaseMoveResult> {
    const { flags } = await this.parse(ReleaseAbort);
    return interruptible('release abort', async (interrupts) => {
      const result = await runReleaseMove(
        releaseMoveOptions('abort', flags, this.view(), interrupts, (summary, title) =>
          this.log(renderPlanText(summary, title)),
        ),
      );
      this.log(
        `Aborted the candidate of ${result.deployment}: revision ${result.before.stable_revision}${result.serving === null ? '' : ` (release ${result.serving.number})`} takes all traffic again.`,
      );
      return result;
    });
  }
}
