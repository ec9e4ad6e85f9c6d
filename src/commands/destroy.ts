import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base-command.js';
import { configFileFlag } from '../cli/config-flag.js';
import { errors } from '../errors/index.js';
import type { PlanSummary } from '../terraform/plan-summary.js';
import { renderPlanText } from '../terraform/render-plan-text.js';
import { readBuildRecord } from '../targets/image-reference.js';
import { approvalFor, isInteractive, shouldStream } from '../deploy/approval.js';
import { loadBuilderSteps } from '../deploy/builder-steps.js';
import { destroyDeployment } from '../deploy/destroy-deployment.js';
import { openRun } from '../deploy/open-run.js';

export interface DestroyResult {
  readonly deployment: string;
  readonly target: string;
  /** False when the state held nothing to destroy. */
  readonly destroyed: boolean;
  readonly summary: PlanSummary;
  /** The repository whose images were deleted (--delete-images). */
  readonly deletedImagesFrom: string | null;
}

export default class Destroy extends BaseCommand {
  static override summary =
    'Delete everything a deployment created, after typing its name to confirm.';

  static override description = `Plans the destruction of every resource in the deployment's state and shows it, asks you to
type the deployment name (on a terminal; without one, --auto-approve is required), then applies
that plan. It uses the stack generated last, since that configuration created the resources.
--delete-images first deletes the images in the deployment's repository, which a repository
created by the stack needs before it can be removed.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f deploy/staging.yaml',
    '<%= config.bin %> <%= command.id %> -f deploy/pr-123.yaml --auto-approve --delete-images',
  ];

  static override flags = {
    file: configFileFlag,
    'auto-approve': Flags.boolean({
      summary: 'Destroy without asking (required without a terminal).',
    }),
    'delete-images': Flags.boolean({
      summary: "Also delete the images in the deployment's repository.",
    }),
  };

  async run(): Promise<DestroyResult> {
    const { flags } = await this.parse(Destroy);
    const json = this.jsonEnabled();
    const say = (line: string) => {
      if (!json) this.logToStderr(line);
    };
    const run = await openRun({
      configFile: flags.file,
      stream: shouldStream(json),
      progress: say,
    });
    const { config, paths } = run;
    const approval = approvalFor({
      command: 'destroy',
      deployment: config.name,
      autoApprove: flags['auto-approve'],
      interactive: isInteractive(json),
      review: (summary) =>
        this.log(renderPlanText(summary, `Destroy plan for ${config.name} (${config.target})`)),
    });
    // Checked before anything is destroyed, so a missing step never leaves the job half done.
    let deletedImagesFrom: string | null = null;
    let beforeDestroy: (() => Promise<void>) | undefined;
    if (flags['delete-images']) {
      const steps = loadBuilderSteps();
      const repository = config.image.repository ?? readBuildRecord(paths.buildRecord)?.repository;
      if (steps.deleteImages === undefined)
        throw errors.stepUnavailable('image deletion', 'destroy --delete-images');
      if (repository === undefined) throw errors.imageNotRecorded(config.name, paths.buildRecord);
      const remove = steps.deleteImages;
      beforeDestroy = async () => {
        say(`Deleting the images in ${repository}`);
        await remove(config, repository);
        deletedImagesFrom = repository;
      };
    }
    const destroyed = await destroyDeployment(run, approval, { beforeDestroy });
    this.log(
      destroyed.destroyed ? `Destroyed ${config.name}.` : `${config.name} has nothing to destroy.`,
    );
    return {
      deployment: config.name,
      target: config.target,
      destroyed: destroyed.destroyed,
      summary: destroyed.summary,
      deletedImagesFrom,
    };
  }
}
