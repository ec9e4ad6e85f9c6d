import * as Args from '@oclif/core/args';
import { BaseCommand } from '../../cli/base-command.js';
import { formatTable } from '../../cli/table.js';
import { yamlValue } from '../../config/render-config.js';
import { closestMatch } from '../../config/suggest.js';
import { errors } from '../../errors/index.js';
import { describeSpec, type SpecField } from '../../targets/describe-spec.js';
import { TARGET_NAMES } from '../../targets/names.js';
import { getTarget, isTargetName } from '../../targets/registry.js';
import type { TargetGrpc, TargetOutput } from '../../targets/target.js';

export interface TargetDetails {
  readonly name: string;
  readonly cloud: string;
  readonly registry: string;
  readonly summary: string;
  readonly fields: readonly SpecField[];
  readonly outputs: readonly TargetOutput[];
  /** `release.strategy` values it can do, with how, and the ones it cannot, with why. */
  readonly releaseStrategies: Readonly<Record<string, string>>;
  readonly releaseGaps: Readonly<Record<string, string>>;
  /** How the gRPC service (`runtime.grpc`) reaches clients, or why it cannot. */
  readonly grpc: TargetGrpc;
}

export default class TargetsShow extends BaseCommand {
  static override summary = "Show a target's spec fields with their types, defaults and meaning.";

  static override description =
    'The fields listed go under `spec:` in a deployment config whose `target:` is this target.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> aws-ecs',
    '<%= config.bin %> <%= command.id %> google-cloud-run --json',
  ];

  static override args = {
    name: Args.string({
      description: 'Target name (see `bentoctl targets list`).',
      required: true,
    }),
  };

  async run(): Promise<TargetDetails> {
    const { args } = await this.parse(TargetsShow);
    if (!isTargetName(args.name))
      throw errors.targetUnknown(args.name, closestMatch(args.name, TARGET_NAMES));
    const target = getTarget(args.name);
    const fields = describeSpec(target);
    this.log(`${target.name} (${target.cloud}, pushes to ${target.registry}): ${target.summary}`);
    this.log('');
    this.log(
      formatTable(
        ['FIELD', 'TYPE', 'DEFAULT', 'DESCRIPTION'],
        fields.map((field) => [
          field.name,
          field.type,
          field.required
            ? '(required)'
            : field.default !== undefined
              ? yamlValue(field.default)
              : (field.defaultNote ?? '-'),
          field.values && field.values.length <= 8
            ? `${field.description} One of: ${field.values.join(', ')}.`
            : field.description,
        ]),
      ),
    );
    this.log('');
    this.log('Outputs:');
    for (const output of target.outputs) {
      const when = output.when === 'grpc' ? ' (with runtime.grpc)' : '';
      this.log(`  ${output.name}  ${output.description}${when}`);
    }
    this.log('');
    this.log('Release strategies (release.strategy):');
    for (const [strategy, how] of Object.entries(target.releaseStrategies)) {
      this.log(`  ${strategy}  ${how}`);
    }
    for (const [strategy, why] of Object.entries(target.releaseGaps ?? {})) {
      this.log(`  ${strategy}  not available: ${why}`);
    }
    this.log('');
    this.log('gRPC (runtime.grpc):');
    this.log(`  ${target.grpc.served ? target.grpc.how : `not available: ${target.grpc.why}`}`);
    return {
      name: target.name,
      cloud: target.cloud,
      registry: target.registry,
      summary: target.summary,
      fields,
      outputs: target.outputs,
      releaseStrategies: { ...target.releaseStrategies },
      releaseGaps: { ...target.releaseGaps },
      grpc: target.grpc,
    };
  }
}
