/**
 * `bentoctl run`: a deployment's image on the local engine with the config's runtime settings,
 * until a stop signal or the container's own exit. A stop signal is how a person ends it: the
 * container drains (SIGTERM, bounded by the stop timeout) and the run succeeds; a repeated
 * signal does not abandon the container. A container that exits by itself while serving with a
 * non-zero code fails the run with its last output.
 */
import type { ResolvedConfig } from '../config/resolved-config.js';
import { runtimeEnvironment } from '../config/runtime-env.js';
import { errors } from '../errors/index.js';
import type { SignalSource } from '../terraform/runner.js';
import { connectEngine } from './engine.js';
import { runImage } from './run-image.js';

export interface RunLocalOptions {
  readonly config: ResolvedConfig;
  /** The image to run (`localImageName(config)` unless --image). */
  readonly image: string;
  /** @default - runtime.port of the config */
  readonly port?: number;
  /** Container network mode; see run-image.ts. */
  readonly networkMode: string;
  readonly waitTimeoutSeconds: number;
  /** Seconds the runtime gets to drain after SIGTERM before it is killed. */
  readonly stopTimeoutSeconds: number;
  readonly interrupts: SignalSource;
  /** The server answers /readyz at `url`. */
  readonly onServing: (url: string) => void;
  /** Progress lines (stderr): stopping, still stopping. */
  readonly progress: (line: string) => void;
  /** The container's output as it comes. */
  readonly onOutput: (chunk: Buffer) => void;
}

export interface LocalRun {
  readonly image: string;
  readonly url: string;
  /** The container's exit status after it stopped (0: drained and stopped cleanly). */
  readonly exitCode: number;
}

/** Runs the image until a stop signal or its exit; see the file comment. */
export async function runLocally(options: RunLocalOptions): Promise<LocalRun> {
  const { config, image, interrupts } = options;
  const env = runtimeEnvironment(config);
  // Bearer mode: pass the token through from this shell, as a cloud secret would.
  const tokenEnv = config.runtime.auth.token_env;
  const token = process.env[tokenEnv];
  if (config.runtime.auth.mode === 'bearer' && token !== undefined) env[tokenEnv] = token;
  const running = await runImage({
    docker: await connectEngine(),
    image,
    port: options.port ?? config.runtime.port,
    env,
    networkMode: options.networkMode,
    gpus: config.runtime.device === 'gpu',
    labels: { 'io.bentoctl.deployment': config.name },
    onOutput: options.onOutput,
  });
  const stopped = new Promise<void>((resolve) => {
    if (interrupts.signal.aborted) resolve();
    interrupts.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  try {
    await Promise.race([running.waitUntilReady(options.waitTimeoutSeconds * 1000), stopped]);
  } catch (error) {
    await running.stop(5);
    throw error;
  }
  const grace = options.stopTimeoutSeconds;
  if (!interrupts.signal.aborted) {
    options.onServing(running.url);
    const outcome = await Promise.race([
      stopped.then(() => 'stop' as const),
      running.exited.then(() => 'exited' as const),
    ]);
    if (outcome === 'exited') {
      const exitCode = await running.stop(grace);
      if (exitCode !== 0)
        throw errors.containerNotReady(
          image,
          `it exited with code ${exitCode} while serving`,
          running.output(),
        );
      return { image, url: running.url, exitCode };
    }
  }
  options.progress(`Stopping ${image} (up to ${grace} s to drain)`);
  interrupts.onSignal(() => options.progress(`Still stopping ${image}; it gets up to ${grace} s.`));
  return { image, url: running.url, exitCode: await running.stop(grace) };
}
