/**
 * The local name `bentoctl build` gives a deployment's image, `bentoctl/<name>:<bento version>`,
 * computed without validating or building anything so `bentoctl run` finds it quickly.
 */
import { bentoContentHash } from '../bento/content-hash.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { errors } from '../errors/index.js';

/** Local repository of built images. */
export const LOCAL_REPOSITORY_PREFIX = 'bentoctl';

export function localImageName(config: Pick<ResolvedConfig, 'name' | 'bentoReference'>): string {
  const reference = config.bentoReference;
  if (reference.kind === 'archive') throw errors.bentoArchiveUnsupported(reference.path);
  return localImageTag(config.name, bentoContentHash(reference.path));
}

export function localImageTag(deployment: string, bentoVersion: string): string {
  return `${LOCAL_REPOSITORY_PREFIX}/${deployment}:${bentoVersion}`;
}
