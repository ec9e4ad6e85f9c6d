import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { join } from 'node:path';
import type { BentoManifest } from '../bento/manifest.js';
import { servableBento } from '../bento/servable-bento.js';
import { BaseCommand } from '../cli/base-command.js';
import { NO_BATCHING } from '../cli/flag-relations.js';
import { interruptible } from '../cli/interrupts.js';
import { textLogWriter } from '../cli/log-text.js';
import { errors } from '../errors/index.js';
import { packageRoot } from '../package-root.js';
import type { RuntimeHandle } from '../runtime/runtime.js';
import type { RuntimeSettings } from '../runtime/settings.js';

export interface ServeResult {
  readonly url: string;
  readonly service: string;
  readonly version: string;
  /** False when queued work was cut short by the grace period. */
  readonly clean: boolean;
}

export default class Serve extends BaseCommand {
  static override summary = 'Run a bento locally with the same runtime the images run.';

  static override description = `Validates the bento, then serves it: POST /<api> per API, the Open Inference \
Protocol under /v2, /healthz /livez /readyz, /metrics and /docs.json. Stops on Ctrl-C or \
SIGTERM after finishing queued requests. Settings default to the container defaults and \
the BENTOCTL_* environment; flags override both.

On a terminal the runtime's log lines print as text; piped, they stay JSON lines (one object \
each, as in the images). With --json, stdout gets one line when the models are ready, \
{"event":"ready","url":...,"service":...,"version":...,"apis":[...]}, and nothing else; logs go \
to stderr.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> examples/iris',
    '<%= config.bin %> <%= command.id %> iris_classifier:1a2b3c4d5e6f7a8b --port 8080 --no-batching',
  ];

  static override args = {
    bento: Args.string({
      description: 'Bento folder, or service:version from `bentoctl bento list`.',
      required: true,
    }),
  };

  static override flags = {
    port: Flags.integer({
      description: 'Port to listen on (0 = any free port).',
      default: 3000,
      min: 0,
      max: 65535,
    }),
    host: Flags.string({ description: 'Address to listen on.', default: '127.0.0.1' }),
    workers: Flags.integer({ description: 'Server processes.', min: 1, max: 64 }),
    'inference-threads': Flags.integer({
      description: 'Inference threads per process.',
      min: 1,
      max: 64,
    }),
    'intra-op-threads': Flags.integer({
      description: 'onnxruntime threads per inference (0 = auto).',
      min: 0,
      max: 256,
    }),
    batching: Flags.boolean({
      description: 'Batch requests (--no-batching to turn off).',
      allowNo: true,
    }),
    'max-batch-size': Flags.integer({
      description: 'Most rows per inference call.',
      min: 1,
      max: 4096,
      relationships: [{ type: 'none', flags: [NO_BATCHING] }],
    }),
    'max-latency-ms': Flags.integer({
      description: 'Longest a request waits for its batch, in ms.',
      min: 1,
      max: 60000,
      relationships: [{ type: 'none', flags: [NO_BATCHING] }],
    }),
    'log-level': Flags.string({
      description: 'Server log level.',
      options: ['debug', 'info', 'warn', 'error'],
    }),
  };

  async run(): Promise<ServeResult | undefined> {
    const { args, flags } = await this.parse(Serve);
    const { manifest } = await servableBento(args.bento);
    const { readSettings, RuntimeSettingsError } = await import('../runtime/settings.js');
    let settings: RuntimeSettings;
    try {
      settings = readSettings(process.env, {
        bentoDir: manifest.dir,
        host: flags.host,
        port: flags.port,
        workers: flags.workers,
        inferenceThreads: flags['inference-threads'],
        intraOpThreads: flags['intra-op-threads'],
        batching: flags.batching,
        maxBatchSize: flags['max-batch-size'],
        maxLatencyMs: flags['max-latency-ms'],
        logLevel: flags['log-level'],
      });
    } catch (error) {
      if (error instanceof RuntimeSettingsError)
        throw errors.serveFailed('settings', error.problems.join('; '));
      throw error;
    }
    if (settings.workers > 1) return this.serveWorkers(manifest, settings);
    const handle = await this.startInProcess(settings);
    this.log(`Serving ${manifest.service}:${manifest.version} at ${handle.url} (Ctrl-C to stop)`);
    return interruptible(`serve of ${manifest.service}`, async (interrupts) => {
      // Ctrl-C is how a person stops `serve`: queued requests finish and the command succeeds.
      // A repeated signal does not cut the drain short; the runtime's grace period bounds it.
      const stopped = new Promise<{ clean: boolean }>((resolve) => {
        interrupts.onSignal(() => void handle.shutdown().then(resolve));
      });
      await this.announceReady(manifest, handle);
      const { clean } = await stopped;
      this.log(clean ? 'Stopped.' : 'Stopped before queued work finished (grace period over).');
      // Under --json the ready line was the output; the exit status says how it stopped.
      if (this.jsonEnabled()) return undefined;
      return { url: handle.url, service: manifest.service, version: manifest.version, clean };
    });
  }

  /** Several processes: the runtime's own entry point forks and supervises them until stopped. */
  private async serveWorkers(manifest: BentoManifest, settings: RuntimeSettings): Promise<never> {
    const { runServer } = await import('../runtime/main.js');
    const mainScript = join(packageRoot(), 'dist', 'runtime', 'main.js');
    this.log(
      `Serving ${manifest.service}:${manifest.version} at ${settings.port === 0 ? 'a free port (see the `listening` lines)' : `http://${settings.host}:${settings.port}`} with ${settings.workers} processes (Ctrl-C to stop)`,
    );
    await runServer(settings, { mainScript });
    return new Promise<never>(() => undefined);
  }

  /** One process, logging as text on a terminal, JSON lines on a pipe, to stderr under --json. */
  private async startInProcess(settings: RuntimeSettings): Promise<RuntimeHandle> {
    const { startRuntime } = await import('../runtime/runtime.js');
    // Machines read stdout: under --json it carries the ready line only, logs go to stderr. A
    // person at a terminal reads text; a pipe keeps the JSON lines the images write.
    const write = this.jsonEnabled()
      ? (line: string) => void process.stderr.write(line)
      : process.stdout.isTTY
        ? textLogWriter((line) => this.log(line))
        : undefined;
    try {
      return await startRuntime({ settings, ...(write === undefined ? {} : { write }) });
    } catch (error) {
      throw errors.serveFailed(`listening on ${settings.host}:${settings.port}`, error);
    }
  }

  /** Waits for the models; prints the routes, and under --json the one ready line. */
  private async announceReady(manifest: BentoManifest, handle: RuntimeHandle): Promise<void> {
    try {
      await handle.ready;
    } catch (error) {
      await handle.shutdown();
      throw errors.serveFailed('loading the models', error);
    }
    this.log(`Ready: ${manifest.apis.map((api) => `POST ${handle.url}/${api.name}`).join(', ')}`);
    this.log(`Docs: ${handle.url}/docs (Swagger UI), ${handle.url}/docs.json (OpenAPI)`);
    if (!this.jsonEnabled()) return;
    const ready = {
      event: 'ready',
      url: handle.url,
      service: manifest.service,
      version: manifest.version,
      apis: manifest.apis.map((api) => `${handle.url}/${api.name}`),
      docs: `${handle.url}/docs`,
    };
    process.stdout.write(`${JSON.stringify(ready)}\n`);
  }
}
