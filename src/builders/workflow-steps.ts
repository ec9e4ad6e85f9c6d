/**
 * `bentoctl build` and `apply --build` (and `apply` without a build record): build and push
 * with the engine's progress shown on stderr (a live display on a terminal, lines otherwise).
 */
import type { ResolvedConfig } from '../config/resolved-config.js';
import { buildAndPushImage, type BuildRequest, type BuildResult } from './build-and-push.js';
import { isInteractive, progressReporter } from './progress.js';

export type ShownBuildRequest = Omit<BuildRequest, 'config' | 'onProgress' | 'push'> & {
  /** @default true, as apply needs the digest recorded */
  readonly push?: boolean;
};

/** Builds (and pushes) `config`'s image, as `bentoctl build --push` does by default. */
export async function buildAndPush(
  config: ResolvedConfig,
  request: ShownBuildRequest = {},
): Promise<BuildResult> {
  const progress = progressReporter({
    interactive: isInteractive(),
    write: (text) => process.stderr.write(text),
  });
  const onStage = request.onStage ?? ((message: string) => process.stderr.write(`${message}\n`));
  try {
    return await buildAndPushImage({
      ...request,
      config,
      push: request.push ?? true,
      onProgress: (phase, event) => progress.event(phase, event),
      onStage: (message) => {
        progress.finish();
        onStage(message);
      },
    });
  } finally {
    progress.finish();
  }
}
