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

  static override description = `Starts the image \`bentoctl build\` made for this config (bentoctl/<name>:<bento version>,
or --image) with the config's runtime settings, waits until /readyz answers and prints the URL.
Ctrl-C or SIGTERM stops the container with SIGTERM, so queued requests finish, then removes it.

The container uses host networking by default (works on engines without a bridge network) and
then listens on 127.0.0.1 only; --network bridge (or any other network) publishes the port on
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
    const [
      { loadConfig },
      { runtimeEnvironment },
      { localImageName },
      { connectEngine },
      { runImage },
      { errors },
    ] = await Promise.all([
      import('../config/load.js'),
      import('../config/runtime-env.js'),
      import('../builders/local-image.js'),
      import('../builders/engine.js'),
      import('../builders/run-image.js'),
      import('../errors/index.js'),
    ]);
    const config = loadConfig(flags.file);
    const image = flags.image ?? localImageName(config);
    const port = flags.port ?? config.runtime.port;
    const env = runtimeEnvironment(config);
    // Bearer mode: pass the token through from this shell, as a cloud secret would.
    const tokenEnv = config.runtime.auth.token_env;
    const token = process.env[tokenEnv];
    if (config.runtime.auth.mode === 'bearer' && token !== undefined) env[tokenEnv] = token;

    const docker = await connectEngine();
    return interruptible(`run of ${image}`, async (interrupts) => {
      const running = await runImage({
        docker,
        image,
        port,
        env,
        networkMode: flags.network,
        gpus: config.runtime.device === 'gpu',
        labels: { 'io.bentoctl.deployment': config.name },
        onOutput: (chunk) => process.stderr.write(chunk),
      });
      // Ctrl-C is how a person stops `run`: the container drains and the command succeeds. A
      // repeated signal does not abandon the container; the drain is bounded by --stop-timeout.
      const stopped = new Promise<void>((resolve) => {
        if (interrupts.signal.aborted) resolve();
        interrupts.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      try {
        await Promise.race([running.waitUntilReady(flags['wait-timeout'] * 1000), stopped]);
      } catch (error) {
        await running.stop(5);
        throw error;
      }
      if (!interrupts.signal.aborted) {
        this.log(`Serving ${image} at ${running.url} (Ctrl-C to stop)`);
        const outcome = await Promise.race([
          stopped.then(() => 'stop' as const),
          running.exited.then(() => 'exited' as const),
        ]);
        if (outcome === 'exited') {
          const code = await running.stop(flags['stop-timeout']);
          if (code !== 0)
            throw errors.containerNotReady(
              image,
              `it exited with code ${code} while serving`,
              running.output(),
            );
          return { image, url: running.url, network: flags.network, exitCode: code };
        }
      }
      this.logToStderr(`Stopping ${image} (up to ${flags['stop-timeout']} s to drain)`);
      interrupts.onSignal(() =>
        this.logToStderr(`Still stopping ${image}; it gets up to ${flags['stop-timeout']} s.`),
      );
      const exitCode = await running.stop(flags['stop-timeout']);
      this.log(`Stopped ${image} (exit ${exitCode})`);
      return { image, url: running.url, network: flags.network, exitCode };
    });
  }
}
