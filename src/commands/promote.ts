import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base-command.js';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { deploymentPaths } from '../config/deployment-paths.js';
import { errors } from '../errors/index.js';
import { readBuildRecord } from '../targets/image-reference.js';
import { promoteImage, type PromoteResult } from '../deploy/promote.js';
import { loadBuilderSteps, type BuilderSteps } from '../deploy/builder-steps.js';

export default class Promote extends BaseCommand {
  static override summary =
    'Give a deployment the exact image another one runs (staging → production).';

  static override description = `Takes the image digest the --from deployment runs (its last apply; else its last push) and
records it as the --to deployment's image, so \`bentoctl apply -f <to>\` deploys the tested
image without rebuilding. When --to uses another repository (its image.repository, or an
earlier record), the image is first copied there by digest. Nothing is applied: run apply next.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --from deploy/staging.yaml --to deploy/prod.yaml',
    '<%= config.bin %> <%= command.id %> --from deploy/staging.yaml --to deploy/prod.yaml && <%= config.bin %> apply -f deploy/prod.yaml --auto-approve',
  ];

  static override flags = {
    from: Flags.string({
      summary: 'Config of the deployment whose image is promoted.',
      required: true,
      helpValue: '<file>',
    }),
    to: Flags.string({
      summary: 'Config of the deployment that receives it.',
      required: true,
      helpValue: '<file>',
    }),
  };

  async run(): Promise<PromoteResult> {
    const { flags } = await this.parse(Promote);
    const from = loadConfig(flags.from);
    const to = loadConfig(flags.to);
    const steps = loadBuilderSteps();
    const toRepository = await destinationRepository(to, steps.defaultRepository);
    const result = await promoteImage({ from, to, toRepository, copier: steps.copyImage });
    if (result.copied)
      this.log(`Copied ${result.fromRepository}@${result.digest} to ${result.toRepository}.`);
    this.log(
      `${result.to} now records ${result.toRepository}@${result.digest} (from ${result.from}'s ${result.source}).`,
    );
    this.log(`Next: bentoctl apply -f ${flags.to}`);
    return result;
  }
}

/**
 * Where --to pulls from: its image.repository; else the repository of its earlier record; else
 * the builder's default for it. Without any of them there is no safe guess.
 */
async function destinationRepository(
  to: ResolvedConfig,
  defaultRepository: BuilderSteps['defaultRepository'],
): Promise<string> {
  const configured =
    to.image.repository ?? readBuildRecord(deploymentPaths(to.name).buildRecord)?.repository;
  if (configured !== undefined) return configured;
  const derived = await defaultRepository?.(to);
  if (derived !== undefined) return derived;
  // ECR's default repository needs the account id; only image.repository can say it here.
  throw errors.stepUnavailable(
    'default repository naming',
    `Promoting to ${to.source.file}, which sets no image.repository,`,
  );
}
