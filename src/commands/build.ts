import * as Flags from '@oclif/core/flags';
import { relative } from 'node:path';
import { BaseCommand } from '../cli/base-command.js';
import { interruptible } from '../cli/interrupts.js';
import { configFileFlag } from '../cli/config-flag.js';
import type { BuildResult, DryRunResult } from '../builders/build-and-push.js';

const MB = 1_000_000;

export default class Build extends BaseCommand {
  static override summary =
    "Build the deployment's image (runtime + bento) and optionally push it.";

  static override description = `Bundles the bentoctl runtime (one JS file plus onnxruntime's linux-x64 libraries) and the \
bento's files (minus .bentoignore) into an image on the local Docker engine (DOCKER_HOST or the \
default socket). Layers go base -> runtime -> bento, so a model-only change rebuilds and pushes \
only the last one. The image is tagged bentoctl/<name>:<bento version>.

With --push it goes to the target's registry (ECR, Artifact Registry or ACR, named after the \
deployment; image.repository overrides; --registry pushes to any registry with the Docker \
config's credentials), and the digest is recorded in .bentoctl/<name>/build.json, which \
\`bentoctl generate\` pins the deployment to.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f deployment_config.yaml',
    '<%= config.bin %> <%= command.id %> -f prod.yaml --push',
    '<%= config.bin %> <%= command.id %> -f prod.yaml --push --registry registry.example.com:5000/ml',
    '<%= config.bin %> <%= command.id %> -f prod.yaml --dry-run',
  ];

  static override flags = {
    file: configFileFlag,
    push: Flags.boolean({
      summary: "Push the image to the target's registry and record its digest.",
      default: false,
    }),
    registry: Flags.string({
      summary: 'Push to <registry>/<name> using the Docker config credentials instead.',
      description:
        'A host with an optional path, e.g. registry.example.com:5000/team. Implies nothing without --push.',
      helpValue: '<host[/path]>',
    }),
    'base-image': Flags.string({
      summary: 'Base image; it must provide node 22 or 24 on PATH.',
      description:
        'Default: image.base_image, else node:24-bookworm-slim (or a CUDA base with node 24 for runtime.device: gpu).',
      helpValue: '<image>',
    }),
    platform: Flags.string({
      summary: 'Image platform.',
      options: ['linux/amd64'],
      default: 'linux/amd64',
    }),
    'dry-run': Flags.boolean({
      summary: 'Print the Dockerfile, labels and destination without building.',
      default: false,
    }),
  };

  async run(): Promise<BuildResult | DryRunResult> {
    const { flags } = await this.parse(Build);
    const { loadConfig } = await import('../config/load.js');
    const config = loadConfig(flags.file);
    const options = { baseImage: flags['base-image'], registry: flags.registry };
    if (flags['dry-run']) {
      const { dryRunBuild } = await import('../builders/build-and-push.js');
      const plan = await dryRunBuild({ config, ...options });
      this.printDryRun(plan, flags.push);
      return plan;
    }
    const { buildAndPush } = await import('../builders/workflow-steps.js');
    const result = await interruptible(`build of ${config.name}`, (interrupts) => {
      interrupts.doing(`build of ${config.name}`, [`${config.name}'s build record is unchanged`]);
      return buildAndPush(config, {
        ...options,
        push: flags.push,
        signal: interrupts.signal,
        onStage: (message) => this.logToStderr(message),
      });
    });
    this.printBuilt(result, flags.file);
    return result;
  }

  private printBuilt(result: BuildResult, file: string): void {
    for (const warning of result.warnings) this.warn(warning);
    this.log(
      `Built ${result.image} (${result.imageId.slice(7, 19)}, ${mb(result.sizeBytes)} MB, runtime ${mb(result.runtimeBytes)} MB) in ${(result.buildMs / 1000).toFixed(1)} s`,
    );
    if (result.push === null) {
      this.log(`Next: bentoctl run -f ${file}, or bentoctl build --push -f ${file}`);
      return;
    }
    const { push } = result;
    this.log(
      `Pushed ${push.reference} (${push.layersPushed} layer${push.layersPushed === 1 ? '' : 's'} uploaded, ${push.layersExisting} already there)`,
    );
    this.log(
      `Recorded in ${relative(process.cwd(), push.buildRecord)}; next: bentoctl generate -f ${file}`,
    );
  }

  private printDryRun(plan: DryRunResult, push: boolean): void {
    for (const warning of plan.warnings) this.warn(warning);
    this.log(
      `Would build ${plan.image} for ${plan.platform} from ${plan.baseImage} (${plan.template})`,
    );
    this.log(`Bento ${plan.bento.name}:${plan.bento.version} from ${plan.bento.dir}`);
    this.log(
      `Context: ${plan.context.files} files, ${mb(plan.context.bytes)} MB (runtime ${mb(plan.context.runtimeBytes)} MB)`,
    );
    this.log(push ? `Would push to ${plan.pushTo}` : `With --push it would go to ${plan.pushTo}`);
    this.log('');
    this.log(plan.dockerfile.trimEnd());
  }
}

function mb(bytes: number): string {
  return (bytes / MB).toFixed(1);
}
