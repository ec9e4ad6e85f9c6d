import * as Args from '@oclif/core/args';
import { bentoctlHome } from '../../bento/home.js';
import { storeBento, type StoredBento } from '../../bento/store.js';
import { validateBento } from '../../bento/validate.js';
import { BaseCommand } from '../../cli/base-command.js';
import { formatTable } from '../../cli/table.js';
import { formatDims } from '../../bento/signature.js';

export interface BentoBuildResult extends StoredBento {
  /** False when this version was already in the store. */
  readonly created: boolean;
}

export default class BentoBuild extends BaseCommand {
  static override summary =
    'Check a bento folder and store it, versioned, in the local bento store.';

  static override description = `Validates bento.yaml (schema, API to model references), loads every model in \
onnxruntime and reads its inputs and outputs (names, element types, shapes), applies the \
overrides of bento.yaml, then copies the bento to $BENTOCTL_HOME/bentos/<service>/<version>/. \
The version is a content hash (files named in .bentoignore excluded), so the same bento \
always gets the same version. Deployment configs can then name it as service:version.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> examples/iris',
    '<%= config.bin %> <%= command.id %> ./my-bento --json',
  ];

  static override args = {
    dir: Args.string({ description: 'Folder holding bento.yaml.', required: true }),
  };

  async run(): Promise<BentoBuildResult> {
    const { args } = await this.parse(BentoBuild);
    const { manifest, signatures } = await validateBento(args.dir);
    const { stored, created } = storeBento(bentoctlHome(), manifest, signatures);
    this.log(`${created ? 'Stored' : 'Already stored'} ${stored.reference} at ${stored.path}`);
    this.log('');
    const rows: string[][] = [];
    for (const model of stored.models) {
      for (const [kind, tensors] of [
        ['input', model.signature.inputs],
        ['output', model.signature.outputs],
      ] as const) {
        for (const tensor of tensors)
          rows.push([model.name, kind, tensor.name, tensor.dtype, formatDims(tensor.dims)]);
      }
    }
    this.log(formatTable(['MODEL', 'KIND', 'NAME', 'DTYPE', 'SHAPE'], rows));
    this.log('');
    this.log(
      `APIs: ${stored.apis.map((api) => `POST /${api.name} (${api.model}${api.batchable ? ', batched' : ''})`).join(', ')}`,
    );
    return { ...stored, created };
  }
}
