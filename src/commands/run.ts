import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base-command.js';
import { interruptible } from '../cli/interrupts.js';
import { configFileFlag } from '../cli/config-flag.js';

export interface RunResult {
  readonly image: string;
  readonly url: string;
  readonly network: string;
  /** The container's exit status after it stopped (0: drained and stopped cleanly). */
  readonly exitCode: number;
}

export default class Run extends BaseCommand {
  static override summary = "Run the deployment's built image on the local Docker engine.";

  static override description = `Starts the image \`bentoctl build\` made for this config (bentoctl/<name>:<bento version>, \
or --image) with the config's runtime settings, waits until /readyz answers and prints the URL. \
Ctrl-C or SIGTERM stops the container with SIGTERM, so queued requests finish, then removes it.

The container uses host networking by default (works on engines without a bridge network) and \
then listens on 127.0.0.1 only; --network bridge (or any other network) publishes the port on \
127.0.0.1 instead. Cloud secrets in \`secrets:\` are not fetched locally: export them yourself.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f deployment_config.yaml',
    '<%= config.bin %> <%= command.id %> -f deployment_config.yaml --port 8080 --network bridge',
    '<%= config.bin %> <%= command.id %> -f deployment_config.yaml --image registry.example.com/iris@sha256:<digest>',
  ];

  static override flags = {
    file: configFileFlag,
    image: Flags.string({
      summary: 'Image to run instead of the locally built one.',
      helpValue: '<ref>',
    }),
    port: Flags.integer({
      summary: 'Port to serve on.',
      description: 'Default: runtime.port of the config.',
      min: 1,
      max: 65535,
    }),
    network: Flags.string({
      summary: 'Container network mode.',
      description:
        'host (default): the server shares the host network and binds 127.0.0.1. Any other mode publishes the port on 127.0.0.1.',
      default: 'host',
    }),
    'wait-timeout': Flags.integer({
      summary: 'Seconds to wait for /readyz.',
      default: 120,
      min: 1,
    }),
    'stop-timeout': Flags.integer({
      summary: 'Seconds the runtime gets to drain after SIGTERM before it is killed.',
      default: 30,
      min: 1,
    }),
  };

  async run(): Promise<RunResult> {
    const { flags } = await this.parse(Run);
    const [{ loadConfig }, { localImageName }, { runLocally }] = await Promise.all([
      import('../config/load.js'),
      import('../builders/local-image.js'),
      import('../builders/run-local.js'),
    ]);
    const config = loadConfig(flags.file);
    const image = flags.image ?? localImageName(config);
    const ran = await interruptible(`run of ${image}`, (interrupts) =>
      runLocally({
        config,
        image,
        port: flags.port,
        networkMode: flags.network,
        waitTimeoutSeconds: flags['wait-timeout'],
        stopTimeoutSeconds: flags['stop-timeout'],
        interrupts,
        onServing: (url) => this.log(`Serving ${image} at ${url} (Ctrl-C to stop)`),
        progress: (line) => this.logToStderr(line),
        onOutput: (chunk) => process.stderr.write(chunk),
      }),
    );
    this.log(`Stopped ${image} (exit ${ran.exitCode})`);
    return { ...ran, network: flags.network };
  }
}
