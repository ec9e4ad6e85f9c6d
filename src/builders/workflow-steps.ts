/**
 * `apply --build` (and `apply` without a build record) builds, pushes and records the digest
 * exactly as `bentoctl build --push`.
 */
import type { ResolvedConfig } from '../config/resolved-config.js';
import { buildAndPushImage } from './build-and-push.js';
import { isInteractive, progressReporter } from './progress.js';

export async function buildAndPush(config: ResolvedConfig): Promise<void> {
  const progress = progressReporter({
    interactive: isInteractive(),
    write: (text) => process.stderr.write(text),
  });
  try {
    await buildAndPushImage({
      config,
      push: true,
      onProgress: (phase, event) => progress.event(phase, event),
      onStage: (message) => {
        progress.finish();
        process.stderr.write(`${message}\n`);
      },
    });
  } finally {
    progress.finish();
  }
}
