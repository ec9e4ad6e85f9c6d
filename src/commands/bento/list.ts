import { bentoctlHome } from '../../bento/home.js';
import { listStoredBentos, type StoredBento } from '../../bento/store.js';
import { BaseCommand } from '../../cli/base-command.js';
import { formatTable } from '../../cli/table.js';

export default class BentoList extends BaseCommand {
  static override summary = 'List the bentos in the local bento store.';

  static override description =
    'Each row is a stored version ($BENTOCTL_HOME/bentos/<service>/<version>/); a deployment config can name it as service:version.';

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
  ];

  async run(): Promise<StoredBento[]> {
    await this.parse(BentoList);
    const home = bentoctlHome();
    const bentos = listStoredBentos(home);
    if (bentos.length === 0) {
      this.log(
        `No bentos in ${home}/bentos yet; store one with \`bentoctl bento build <folder>\`.`,
      );
      return bentos;
    }
    this.log(
      formatTable(
        ['REFERENCE', 'CREATED', 'SIZE', 'APIS', 'SOURCE'],
        bentos.map((bento) => [
          bento.reference,
          bento.createdAt.replace(/\.\d+Z$/, 'Z'),
          formatSize(bento.sizeBytes),
          bento.apis.map((api) => api.name).join(','),
          bento.source,
        ]),
      ),
    );
    return bentos;
  }
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
