import * as Flags from '@oclif/core/flags';
import { stringify } from 'yaml';
import { checkConfigBento, type BentoCheck } from '../bento/check-config-bento.js';
import { BaseCommand } from '../cli/base-command.js';
import { configFileFlag } from '../cli/config-flag.js';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/resolved-config.js';

export interface ValidateResult {
  readonly valid: true;
  readonly file: string;
  readonly config: Omit<ResolvedConfig, 'source' | 'bentoReference'>;
  readonly bento: ResolvedConfig['bentoReference'];
  readonly models: BentoCheck;
}

export default class Validate extends BaseCommand {
  static override summary = 'Check a deployment config and print it with every default filled in.';

  static override description = `Reads the config, fills \${VAR} references from the environment, checks every field \
against the schema of the config and of its target (types, allowed values, cloud limits such \
as Fargate CPU/memory pairs) and checks the bento: its bento.yaml, and every ONNX model decoded \
with its inputs and outputs matched to the APIs (--deep also loads each model in onnxruntime, \
as build and serve do). Every problem is reported with file:line:column and the field path. \
Exits 2 when the config or the bento is invalid.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> -f examples/aws-ecs/deployment_config.yaml',
    '<%= config.bin %> <%= command.id %> -f prod.yaml --json',
    '<%= config.bin %> <%= command.id %> -f prod.yaml --deep',
  ];

  static override flags = {
    file: configFileFlag,
    deep: Flags.boolean({
      summary: 'Also load every model in onnxruntime (slower; proves the runtime can run it).',
    }),
  };

  async run(): Promise<ValidateResult> {
    const { flags } = await this.parse(Validate);
    const loaded = loadConfig(flags.file);
    const models = await checkConfigBento(loaded, { deep: flags.deep });
    const { source, bentoReference, ...config } = loaded;
    this.log(
      `${source.file} is valid: target ${config.target}, bento ${bentoReference.path} (${bentoReference.kind})`,
    );
    this.log('');
    this.log(stringify(config).trimEnd());
    return { valid: true, file: source.file, config, bento: bentoReference, models };
  }
}
