/**
 * The image steps the terraform workflow calls but does not own: build and push (`apply
 * --build`), copy between registries (`promote`), delete the repository's images (`destroy
 * --delete-images`) and the default repository of a config. They belong to src/builders/;
 * each is optional here so a command can say clearly which step is missing.
 */
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { ImageCopier } from './promote.js';

export interface BuilderSteps {
  /** Builds the bento's image, pushes it and writes the build record. */
  readonly buildAndPush?: (config: ResolvedConfig) => Promise<void>;
  readonly copyImage?: ImageCopier;
  /** Deletes the images in the deployment's repository so destroy can remove it. */
  readonly deleteImages?: (config: ResolvedConfig, repository: string) => Promise<void>;
  /** The repository a config pushes to by default; undefined when only a login can tell. */
  readonly defaultRepository?: (config: ResolvedConfig) => Promise<string | undefined>;
}

/**
 * The builder's steps available in this build of bentoctl, loaded on demand (dockerode and the
 * registry clients are heavy). src/builders/ has no image copy or repository cleanup yet, so
 * `promote` across registries and `destroy --delete-images` report STEP_UNAVAILABLE.
 */
export function loadBuilderSteps(): BuilderSteps {
  return {
    buildAndPush: async (config) => {
      // The same build, progress and record as `bentoctl build --push`.
      const { buildAndPush } = await import('../builders/workflow-steps.js');
      await buildAndPush(config);
    },
    defaultRepository: async (config) => {
      const { imageDestination } = await import('../builders/image-destination.js');
      const destination = imageDestination(config);
      // ECR's default repository includes the account id, known only after an ECR login.
      return destination.kind === 'repository' ? destination.repository : undefined;
    },
  };
}
