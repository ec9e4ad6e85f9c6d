/**
 * The real stack writer: `generate`'s library call, writing `<stack>/main.tf.json` with the image
 * from the build record (or the one given). cdktf loads only when this runs.
 */
import { basename, dirname, join } from 'node:path';
import type { StackWriter } from '../stack-writer.js';

/** A writer for `generate` with an optional image override (`repository[:tag][@digest]`). */
export function generatedStackWriter(image?: string): StackWriter {
  return async (config, paths) => {
    const { generateStack } = await import('../../targets/generate-stack.js');
    const result = await generateStack({
      configFile: join(config.source.dir, basename(config.source.file)),
      out: paths.stack,
      image,
      // generate finds the build record under <cwd>/.bentoctl/<name>, next to the stack.
      cwd: dirname(dirname(paths.root)),
    });
    return { warnings: result.warnings };
  };
}
