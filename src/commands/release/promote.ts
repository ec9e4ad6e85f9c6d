import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../../cli/base-command.js';
import { interruptible } from '../../cli/interrupts.js';
import { releaseMoveFlags, releaseMoveOptions } from '../../cli/release-flags.js';
import {
  DEFAULT_MAX_BAKE_WAIT_MINUTES,
  runAfterBake,
  type AfterBakeResult,
} from '../../deploy/release-after-bake.js';
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
endpoint answers from it. An aws-ecs canary is moved by ECS itself, and \`bentoctl apply\` waits \
while it does, so there is nothing to promote (RELEASE_MOVED_BY_PLATFORM).

--after-bake is the CI step after an apply: it waits for the bake time left (at most \
--max-bake-wait minutes; Ctrl-C or SIGTERM stops the wait, exit 130, nothing applied), asks the \
candidate's own URL for /readyz (from the candidate's image, within 60 s) and /metrics (more \
than 5 % 5xx of at least 10 requests is unhealthy), then promotes it, or aborts it (all traffic \
back to the stable revision) and fails with RELEASE_CANDIDATE_UNHEALTHY (exit 3). On aws-ecs \
blue-green the candidate's own URL is ECS's test listener (candidate_endpoint), which ECS points \
at the new tasks before its hook asks: this checks it there, then approves it and waits until \
the endpoint answers from it, or rejects it (ECS rolls back). Where there is \
nothing to promote (an aws-ecs canary, where the platform moved the traffic; a rolling release; \
no candidate in progress) it says so, waits until the endpoint answers from the release that \
takes all traffic, and exits 0, so a pipeline can run it after every apply.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml',
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml --auto-approve --skip-bake',
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml --after-bake --auto-approve --json',
  ];

  static override flags = {
    ...releaseMoveFlags,
    'skip-bake': Flags.boolean({
      summary: 'Promote a canary before its bake time is over.',
      exclusive: ['after-bake'],
    }),
    'after-bake': Flags.boolean({
      summary:
        'Wait for the bake to end, check the candidate, then promote it or abort it (exit 3).',
      exclusive: ['skip-bake'],
    }),
    'max-bake-wait': Flags.integer({
      summary: `With --after-bake: the most minutes of bake to wait for; more left is refused (RELEASE_BAKE_TOO_LONG). [default: ${DEFAULT_MAX_BAKE_WAIT_MINUTES}]`,
      min: 0,
      dependsOn: ['after-bake'],
    }),
  };

  async run(): Promise<ReleaseMoveResult | AfterBakeResult> {
    const { flags } = await this.parse(ReleasePromote);
    return interruptible('release promote', async (interrupts) => {
      const review = (summary: Parameters<typeof renderPlanText>[0], title: string) =>
        this.log(renderPlanText(summary, title));
      const options = releaseMoveOptions('promote', flags, this.view(), interrupts, review);
      if (flags['after-bake']) {
        const settled = await runAfterBake({
          ...options,
          maxBakeWaitMinutes: flags['max-bake-wait'] ?? DEFAULT_MAX_BAKE_WAIT_MINUTES,
        });
        this.log(afterBakeLine(settled));
        return settled;
      }
      const result = await runReleaseMove({ ...options, skipBake: flags['skip-bake'] });
      this.log(promotedLine(result));
      return result;
    });
  }
}

function promotedLine(result: ReleaseMoveResult): string {
  return `Promoted ${result.deployment}: revision ${result.before.candidate_revision ?? '?'}${result.serving === null ? '' : ` (release ${result.serving.number})`} takes all traffic.`;
}

function afterBakeLine(result: AfterBakeResult): string {
  const release = result.serving === null ? '' : ` release ${result.serving.number}`;
  switch (result.outcome) {
    case 'promoted':
      return result.promote === null
        ? `Promoted ${result.deployment}.`
        : promotedLine(result.promote);
    case 'moved-by-platform':
      return `Nothing to promote: ${result.target} moves the traffic of ${result.deployment} itself;${release === '' ? ' no release is recorded' : release} takes all traffic.`;
    case 'nothing-in-progress':
      return `Nothing to promote: no candidate of ${result.deployment} is in progress;${release === '' ? ' the stable revision' : release} takes all traffic.`;
  }
}
