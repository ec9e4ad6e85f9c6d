import * as Flags from '@oclif/core/flags';
import { parse } from 'yaml';
import { BaseCommand } from '../cli/base-command.js';
import { writeOutputFile } from '../cli/output-file.js';
import { planNewConfig, type InitAsker } from '../config/new-config.js';
import { errors } from '../errors/index.js';
import { TARGET_NAMES } from '../targets/names.js';

export interface InitResult {
  readonly file: string;
  readonly name: string;
  readonly target: string;
  readonly bento: string;
  /** Problems left in the file after choosing "write anyway" (0 when it validates). */
  readonly problems: number;
}

export default class Init extends BaseCommand {
  static override summary = 'Create a deployment config, asking for what is not given as flags.';

  static override description = `With a terminal attached, asks for the target, name, bento, region and sizes, showing the \
defaults. Without one (CI), nothing is asked: pass the values as flags and --yes to accept \
the defaults of the rest. The file written is commented, lists every other field with its \
default, and passes \`bentoctl validate\`. An existing file is never overwritten without --force.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --yes --target aws-ecs --bento ./examples/iris --name iris-prod',
    '<%= config.bin %> <%= command.id %> --yes --target google-cloud-run --bento ./examples/iris --set project=my-project --region europe-west4 --output deploy/gcp.yaml',
  ];

  static override flags = {
    target: Flags.string({ summary: 'Deployment target.', options: [...TARGET_NAMES] }),
    name: Flags.string({
      summary: 'Deployment name (DNS-safe). Defaults to the bento folder name.',
    }),
    bento: Flags.string({ summary: 'Bento folder, archive or name:version.' }),
    region: Flags.string({ summary: "The target's region (location on Azure)." }),
    set: Flags.string({
      summary: 'Set a spec field, e.g. --set cpu=2048 (repeatable).',
      multiple: true,
      helpValue: '<field>=<value>',
    }),
    output: Flags.string({
      char: 'o',
      summary: 'File to write.',
      default: 'deployment_config.yaml',
    }),
    yes: Flags.boolean({
      char: 'y',
      summary: 'Ask nothing; accept defaults for values not given.',
    }),
    force: Flags.boolean({ summary: 'Overwrite the output file if it exists.' }),
  };

  async run(): Promise<InitResult> {
    const { flags } = await this.parse(Init);
    const interactive =
      Boolean(process.stdin.isTTY && process.stdout.isTTY) && !flags.yes && !this.jsonEnabled();
    const asker: InitAsker | undefined = interactive
      ? (await import('../cli/init-prompts.js')).terminalAsker
      : undefined;
    const planned = await planNewConfig(
      {
        target: flags.target,
        name: flags.name,
        bento: flags.bento,
        region: flags.region,
        set: parseSetFlags(flags.set ?? []),
        output: flags.output,
        force: flags.force,
        yes: flags.yes,
        cwd: process.cwd(),
      },
      asker,
    );
    writeOutputFile(planned.path, planned.text);
    this.log(`Wrote ${flags.output} (${planned.target}, name ${planned.name}).`);
    if (planned.problems.length > 0) {
      this.warn(
        `${flags.output} still has ${planned.problems.length} problem(s), listed at its top; fix them, then run bentoctl validate -f ${flags.output}`,
      );
    } else this.log(`Next: bentoctl validate -f ${flags.output}`);
    return {
      file: planned.path,
      name: planned.name,
      target: planned.target,
      bento: planned.bento,
      problems: planned.problems.length,
    };
  }
}

/** `key=value` pairs; values read as YAML scalars so `cpu=2048` is a number. */
function parseSetFlags(pairs: readonly string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw errors.flagInvalid('set', pair, '<field>=<value>, e.g. --set cpu=2048');
    values[pair.slice(0, at).trim()] = parse(pair.slice(at + 1)) as unknown;
  }
  return values;
}
