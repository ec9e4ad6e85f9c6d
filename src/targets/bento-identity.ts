/**
 * The bento name and version that `generate` stamps on resources. Only `service` is read from
 * bento.yaml: the full bento loader lives in src/bento/ and is not needed to label a stack.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { bentoContentHash } from '../bento/content-hash.js';
import { BENTO_FILE, type BentoReference } from '../bento/locate.js';

export interface BentoIdentity {
  /** `service` of bento.yaml, or the deployment name when the bento is an archive. */
  readonly name: string;
  /** Content hash of the bento (the image tag `build` uses). */
  readonly version: string;
}

export function bentoIdentity(reference: BentoReference, deploymentName: string): BentoIdentity {
  return {
    name: serviceName(reference) ?? deploymentName,
    version: bentoContentHash(reference.path),
  };
}

function serviceName(reference: BentoReference): string | undefined {
  if (reference.kind === 'archive') return undefined;
  const file = join(reference.path, BENTO_FILE);
  if (!existsSync(file)) return undefined;
  // A broken bento.yaml is reported by `build`; a label falls back to the deployment name.
  try {
    const document: unknown = parse(readFileSync(file, 'utf8'));
    const service = (document as { service?: unknown } | null)?.service;
    return typeof service === 'string' && service.length > 0 ? service : undefined;
  } catch {
    return undefined;
  }
}
