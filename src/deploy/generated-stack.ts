/**
 * The real stack writer: `generate`'s library call, writing `<stack>/main.tf.json` with the image
 * from the build record (or the one given). cdktf loads only when this runs.
 */
import type { StackWriter } from '../terraform/stack-writer.js';
import { parseImageReference } from '../targets/image-reference.js';
import type { StackLifecycle } from '../targets/synthesizer.js';

/**
 * A writer for `generate` with an optional image override (`repository[:tag][@digest]`) and
 * lifecycle shape (terminate, restore).
 */
export function generatedStackWriter(image?: string, lifecycle?: StackLifecycle): StackWriter {
  return async (config, paths) => {
    const { generateStack } = await import('../targets/generate-stack.js');
    // The run has loaded and checked the config already: generate reuses it.
    const result = await generateStack({
      configFile: config.source.file,
      config,
      out: paths.stack,
      image,
      // The run located the deployment folder already: the build record is next to the stack.
      paths,
      ...(lifecycle === undefined ? {} : { lifecycle }),
    });
    const pinned = parseImageReference(result.image);
    return {
      warnings: result.warnings,
      ...(pinned === undefined
        ? {}
        : {
            image: {
              repository: pinned.repository,
              ...(pinned.digest === undefined ? {} : { digest: pinned.digest }),
            },
          }),
    };
  };
}
