/**
 * `promote`'s image step: the image a deployment runs goes into the repository another
 * deployment pushes to (its image.repository, else its target's default, which `build --push`
 * would use), created first when missing as `build --push` creates it. Each side authenticates
 * with its own registry's credentials.
 */
import type { ResolvedConfig } from '../../config/resolved-config.js';
import { imageDestination } from '../image-destination.js';
import { credentialsSource, resolvePullSource } from '../registry-auth/pull-credentials.js';
import { resolvePushTarget, type AuthProviders } from '../registry-auth/push-credentials.js';
import type { BlobTransferOptions } from './blob-transfer.js';
import { copyImage, type CopyImageResult } from './copy-image.js';
import type { Fetch } from './registry-client.js';

export interface CopyToDeploymentInput {
  readonly image: {
    readonly repository: string;
    readonly digest: string;
    readonly tag?: string | undefined;
  };
  /** The deployment that receives the image. */
  readonly to: ResolvedConfig;
  /** Cloud clients; tests replace them. @default the SDKs, loaded on demand */
  readonly providers?: AuthProviders;
  /** @default globalThis.fetch */
  readonly fetch?: Fetch;
  readonly transfer?: BlobTransferOptions;
  readonly onProgress?: (line: string) => void;
}

export interface CopyToDeploymentResult {
  /** The repository the image is in for `to`. */
  readonly repository: string;
  readonly digest: string;
  /** Null when `to` pulls from the source repository itself: nothing to copy. */
  readonly copy: CopyImageResult | null;
  /** What was done on the way, e.g. a repository created. */
  readonly notes: readonly string[];
}

export async function copyToDeployment(
  input: CopyToDeploymentInput,
): Promise<CopyToDeploymentResult> {
  const { image } = input;
  const destination = imageDestination(input.to);
  if (destination.kind === 'repository' && destination.repository === image.repository) {
    return { repository: image.repository, digest: image.digest, copy: null, notes: [] };
  }
  const target = await resolvePushTarget(destination, input.providers);
  if (target.repository === image.repository) {
    return { repository: image.repository, digest: image.digest, copy: null, notes: target.notes };
  }
  const pull = await resolvePullSource(image.repository, input.providers);
  const copy = await copyImage({
    source: { ...pull, digest: image.digest },
    destination: {
      repository: target.repository,
      family: target.family,
      credentials: target.credentials,
      credentialsSource: credentialsSource(target.family),
    },
    tag: image.tag,
    ...(input.fetch === undefined ? {} : { fetch: input.fetch }),
    ...(input.transfer === undefined ? {} : { transfer: input.transfer }),
    ...(input.onProgress === undefined ? {} : { onProgress: input.onProgress }),
  });
  return { repository: target.repository, digest: copy.digest, copy, notes: target.notes };
}
