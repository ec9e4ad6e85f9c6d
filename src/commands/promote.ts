import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base-command.js';
import { loadConfig } from '../config/load.js';
import { promoteImage, type PromoteResult } from '../deploy/promote.js';

export default class Promote extends BaseCommand {
  static override summary =
    'Give a deployment the exact image another one runs (staging → production).';

  static override description = `Takes the image digest the --from deployment runs (its last apply; else its last push), copies that image into the repository the --to deployment pushes to (its image.repository, else its own default repository, created when missing as build --push creates it), checks that the destination serves the same digest, and records it as the --to deployment's image, so \`bentoctl apply -f <to>\` deploys the tested image without rebuilding. The copy goes through the registry API with each registry's own credentials (ECR, Artifact Registry, ACR, or the Docker config) and keeps the digest. Nothing is applied: run apply next.`;

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
    const result = await promoteImage({
      from,
      to,
      onProgress: (line) => this.logToStderr(line),
    });
    for (const note of result.notes) this.logToStderr(`Note: ${note}.`);
    if (result.copy !== null) {
      const { blobs, manifests } = result.copy;
      this.log(
        `Copied ${result.fromRepository}@${result.digest} to ${result.toRepository} (${manifests} manifest${manifests === 1 ? '' : 's'}; blobs: ${blobs.uploaded} uploaded, ${blobs.mounted} mounted, ${blobs.present} already there).`,
      );
    }
    this.log(
      `${result.to} now records ${result.toRepository}@${result.digest} (from ${result.from}'s ${result.source}).`,
    );
    this.log(`Next: bentoctl apply -f ${flags.to}`);
    return result;
  }
}
