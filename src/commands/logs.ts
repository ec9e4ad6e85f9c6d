import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base-command.js';
import { configFileFlag } from '../cli/config-flag.js';
import { interruptible } from '../cli/interrupts.js';

/** Exit status after Ctrl-C, as shells report a process ended by SIGINT (128 + 2). */
const INTERRUPTED_EXIT = 130;

export default class Logs extends BaseCommand {
  static override summary = "Print the runtime's log lines from the cloud, or follow them.";

  static override description = `Reads what the deployment's runtime wrote, from where its target keeps it: CloudWatch Logs \
(aws-ecs, aws-ec2-gpu: the stack's log group /bentoctl/<name>), Cloud Logging \
(google-cloud-run: the service's stdout and stderr) or the pods' logs through the cluster's \
Kubernetes API (azure-aks, with the kubeconfig ARM's listClusterUserCredential gives: live, \
where a Log Analytics query lags by minutes; pods already deleted are not read; during a \
release the candidate Deployment's pods too, their lines of revision <name>-candidate:<n>). Each line shows its time, severity, \
request id, status and latency, then the message; errors start with "!" (and are red on a \
terminal), warnings with "~". --json prints the runtime's own JSON object per line, with the \
cloud's context under "cloud". Credentials are the cloud's defaults, as for \`build --push\`: \
reading needs logs:FilterLogEvents on the log group (AWS), roles/logging.viewer (Google), or \
the AKS Cluster User role and the RBAC verbs list pods and get pods/log (Azure).`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml',
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml --since 2h',
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml --follow',
    '<%= config.bin %> <%= command.id %> -f deploy/prod.yaml --since 2026-12-01T08:00:00Z --json',
  ];

  static override flags = {
    file: configFileFlag,
    follow: Flags.boolean({
      summary: 'Keep polling for new lines until Ctrl-C (exits 130 then).',
      default: false,
    }),
    since: Flags.string({
      summary: 'Start this long ago (30s, 10m, 2h, 1d) or at this time (ISO 8601).',
      default: '10m',
    }),
    revision: Flags.string({
      summary:
        "Only lines of this revision: an ECS task definition revision (7), a Cloud Run revision name, or a Deployment revision (azure-aks: 4 for the stable Deployment, <name>-candidate:1 for a release's candidate).",
      helpValue: '<revision>',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Logs);
    const [{ loadConfig }, { printLogs }] = await Promise.all([
      import('../config/load.js'),
      import('../observe/print-logs.js'),
    ]);
    const config = loadConfig(flags.file);
    // A stop signal ends the read (and --follow): what was read is printed, and the exit says so.
    const stopped = await interruptible('logs', async (interrupts) => {
      await printLogs(config, {
        since: flags.since,
        revision: flags.revision,
        follow: flags.follow,
        signal: interrupts.signal,
        json: this.jsonEnabled(),
        color: process.stdout.isTTY === true && !process.env.NO_COLOR,
        // --json is one object per line as lines arrive, so oclif's one-document output is not used.
        write: (text) => void process.stdout.write(text),
        progress: (line) => this.logToStderr(line),
      });
      return interrupts.signal.aborted;
    });
    if (stopped) this.exit(INTERRUPTED_EXIT);
  }
}
