import { BaseCommand } from '../cli/base-command.js';
import { configFileFlag } from '../cli/config-flag.js';
import { formatTable } from '../cli/table.js';
import { deploymentPathsOf } from '../config/deployment-paths.js';
import { loadConfig } from '../config/load.js';
import { shouldStream } from '../deploy/approval.js';
import { readReleases } from '../deploy/read-releases.js';
import type { Release } from '../deploy/deployment-records.js';
import { discoverTerraform } from '../terraform/binary.js';

export interface ListedRelease extends Release {
  /** The newest release: what the deployment runs, as far as the history knows. */
  readonly current: boolean;
}

export interface ReleasesResult {
  readonly deployment: string;
  /** Newest first. */
  readonly releases: readonly ListedRelease[];
}

export default class Releases extends BaseCommand {
  static override summary = "List a deployment's releases, newest first, from its Terraform state.";

  static override description = `Every apply that changed what runs (the image digest or the config) recorded a release in \
the deployment's Terraform state: its number, time, bento version, image digest, config digest, \
and who applied it (the CI actor and run URL, or the OS user). This reads them from the state \
backend with terraform init and terraform output, so it works from a fresh folder (a new CI \
runner) with only the config and the backend's credentials. The newest is the current one; \
\`bentoctl rollback -f <config> [--to <number>]\` restores an earlier one.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml',
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml --json',
  ];

  static override flags = { file: configFileFlag };

  async run(): Promise<ReleasesResult> {
    const { flags } = await this.parse(Releases);
    const config = loadConfig(flags.file);
    const history = await readReleases(config, deploymentPathsOf(config), {
      binary: await discoverTerraform(),
      stream: shouldStream(this.jsonEnabled()),
      progress: (line) => this.logToStderr(line),
    });
    const newest = history.at(-1)?.number;
    const releases = [...history]
      .reverse()
      .map((release) => ({ ...release, current: release.number === newest }));
    if (releases.length === 0) {
      this.log(`${config.name} has no recorded release yet: \`bentoctl apply\` records one.`);
    } else {
      this.log(
        formatTable(
          ['#', 'TIME', 'BENTO VERSION', 'IMAGE', 'BY', ''],
          releases.map((release) => [
            String(release.number),
            release.recorded_at,
            release.bento_version ?? '-',
            release.image_digest === null ? '-' : release.image_digest.slice(0, 19),
            release.by,
            note(release),
          ]),
        ),
      );
    }
    return { deployment: config.name, releases };
  }
}

function note(release: ListedRelease): string {
  const parts: string[] = [];
  if (release.current) parts.push('current');
  if (release.kind === 'rollback')
    parts.push(`rollback of ${release.rollback_of ?? '?'} to ${release.rollback_to ?? '?'}`);
  return parts.join(', ');
}
