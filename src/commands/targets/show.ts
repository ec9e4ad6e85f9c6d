import * as Args from '@oclif/core/args';
import { BaseCommand } from '../../cli/base-command.js';
import { formatTable } from '../../cli/table.js';
import { yamlValue } from '../../config/render-config.js';
import { closestMatch } from '../../config/suggest.js';
import { errors } from '../../errors/index.js';
import { describeSpec, type SpecField } from '../../targets/describe-spec.js';
import { TARGET_NAMES } from '../../targets/names.js';
import { getTarget, isTargetName } from '../../targets/registry.js';
import type { TargetGrpc, TargetLifecycleShapes, TargetOutput } from '../../targets/target.js';

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
  /** What `terminate` and `restore` do on it; null when the target does not describe it. */
  readonly lifecycle: TargetLifecycleShapes;
}

export default class TargetsShow extends BaseCommand {
  static override summary = "Show a target's spec fields with their types, defaults and meaning.";

  static override description =
    'The fields listed go under `spec:` in a deployment config whose `target:` is this target. Then its outputs, the release strategies it can do (and how), and what `bentoctl terminate` and `restore` do on it.';

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
    const details: TargetDetails = {
      name: target.name,
      cloud: target.cloud,
      registry: target.registry,
      summary: target.summary,
      fields: describeSpec(target),
      outputs: target.outputs,
      releaseStrategies: { ...target.releaseStrategies },
      releaseGaps: { ...target.releaseGaps },
      grpc: target.grpc,
      lifecycle: target.lifecycle,
    };
    this.log(formatTargetDetails(details));
    return details;
  }
}

/** When an output with a `when` exists, in the config's words. */
const OUTPUT_CONDITION: Readonly<Record<NonNullable<TargetOutput['when']>, string>> = {
  grpc: 'with runtime.grpc',
  candidate: 'with release.strategy canary or blue-green',
};

/** The target's line, its spec fields as a table, outputs, release strategies, gRPC, lifecycle. */
function formatTargetDetails(target: TargetDetails): string {
  const lines = [
    `${target.name} (${target.cloud}, pushes to ${target.registry}): ${target.summary}`,
    '',
    formatTable(
      ['FIELD', 'TYPE', 'DEFAULT', 'DESCRIPTION'],
      target.fields.map((field) => [
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
    '',
    'Outputs:',
    ...target.outputs.map(
      (output) =>
        `  ${output.name}  ${output.description}${output.when === undefined ? '' : ` (${OUTPUT_CONDITION[output.when]})`}`,
    ),
    '',
    'Release strategies (release.strategy):',
    ...Object.entries(target.releaseStrategies).map(([strategy, how]) => `  ${strategy}  ${how}`),
    ...Object.entries(target.releaseGaps).map(
      ([strategy, why]) => `  ${strategy}  not available: ${why}`,
    ),
    '',
    'gRPC (runtime.grpc):',
    `  ${target.grpc.served ? target.grpc.how : `not available: ${target.grpc.why}`}`,
    '',
    'Lifecycle (bentoctl terminate / restore):',
    `  terminated  ${target.lifecycle.terminated}`,
    `  restored    ${target.lifecycle.restored}`,
  ];
  return lines.join('\n');
}
