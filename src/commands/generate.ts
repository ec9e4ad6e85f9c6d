import * as Flags from '@oclif/core/flags';
import { relative } from 'node:path';
import { BaseCommand } from '../cli/base-command.js';
import { configFileFlag } from '../cli/config-flag.js';
import type { GenerateResult } from '../targets/generate-stack.js';

export default class Generate extends BaseCommand {
  static override summary = "Synthesize the deployment's Terraform stack (JSON) into a folder.";

  static override description = [
    "Checks the config, then writes <out>/main.tf.json: the target's resources, the state backend from `state:`, and the image pinned by digest.",
    'The image is the one `bentoctl build --push` recorded for this deployment, or the one given with --image.',
    'The same inputs always give the same bytes, so the file can be committed and reviewed. Run terraform in the folder to plan and apply.',
  ].join(' ');

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f deployment_config.yaml',
    '<%= config.bin %> <%= command.id %> -f prod.yaml --out infra/prod',
    '<%= config.bin %> <%= command.id %> -f prod.yaml --image 123456789012.dkr.ecr.us-east-1.amazonaws.com/iris@sha256:<digest>',
  ];

  static override flags = {
    file: configFileFlag,
    out: Flags.string({
      char: 'o',
      summary: 'Folder to write main.tf.json to.',
      description:
        'Default: .bentoctl/<name>/stack beside the config ($BENTOCTL_STATE_DIR/<name>/stack when set).',
      helpValue: '<dir>',
    }),
    image: Flags.string({
      summary: 'Image to deploy: repository[:tag][@sha256:<digest>].',
      description: 'Default: the image `bentoctl build --push` recorded for this deployment.',
      helpValue: '<ref>',
    }),
  };

  async run(): Promise<GenerateResult> {
    const { flags } = await this.parse(Generate);
    // cdktf and the provider classes load only here, so other commands stay fast.
    const { generateStack } = await import('../targets/generate-stack.js');
    const result = await generateStack({
      configFile: flags.file,
      out: flags.out,
      image: flags.image,
    });
    const shown = relative(process.cwd(), result.out) || '.';
    for (const warning of result.warnings) this.warn(warning);
    if (result.stacks.length === 0) {
      this.log(
        `Wrote ${relative(process.cwd(), result.file)}: ${result.target}, ${result.resources} resources, outputs ${result.outputs.join(', ')}`,
      );
    } else {
      // Applied in this order (and destroyed in reverse) by bentoctl apply / destroy.
      for (const stack of result.stacks) {
        this.log(`Wrote ${relative(process.cwd(), stack.file)}: ${stack.resources} resources`);
      }
      this.log(
        `${result.target}: ${result.stacks.length} stacks applied in order, outputs ${result.outputs.join(', ')}`,
      );
    }
    this.log(
      `Image: ${result.image} (${result.imageSource === 'flag' ? '--image' : 'build record'})`,
    );
    this.log('');
    this.log(
      result.stacks.length === 0
        ? `Next: terraform -chdir=${shown} init && terraform -chdir=${shown} plan`
        : `Next: bentoctl plan -f ${flags.file} (it plans the stacks in order)`,
    );
    return result;
  }
}
