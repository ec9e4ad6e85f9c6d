/**
 * Which revision this server is: the bento (name and content version, from the bento itself)
 * and the image digest (from BENTOCTL_IMAGE_DIGEST, which the stack sets from the digest it
 * pins). During a rollout the old and the new revision answer side by side; these are how a
 * deploy tells them apart: a header on every response, fields in /readyz, /healthz and the OIP
 * server metadata, and the `bentoctl_build_info` gauge.
 */
import { Gauge, type Registry } from 'prom-client';
import type { BentoManifest } from '../bento/manifest.js';
import { REVISION_HEADERS } from '../config/runtime-env.js';
import type { RuntimeSettings } from './settings.js';

export interface ServedRevision {
  readonly bentoName: string;
  /** The bento's content hash. */
  readonly bentoVersion: string;
  /** `sha256:...`; undefined when the image was not given its digest (e.g. `bentoctl serve`). */
  readonly imageDigest: string | undefined;
  /** Set on every response. */
  readonly headers: Readonly<Record<string, string>>;
  /** Merged into the JSON bodies of /readyz, /healthz and /v2. */
  readonly fields: { readonly bento_version: string; readonly image_digest: string | null };
}

export function servedRevision(manifest: BentoManifest, settings: RuntimeSettings): ServedRevision {
  const imageDigest = settings.imageDigest === '' ? undefined : settings.imageDigest;
  return {
    bentoName: manifest.service,
    bentoVersion: manifest.version,
    imageDigest,
    headers: {
      [REVISION_HEADERS.bentoVersion]: manifest.version,
      ...(imageDigest === undefined ? {} : { [REVISION_HEADERS.imageDigest]: imageDigest }),
    },
    fields: { bento_version: manifest.version, image_digest: imageDigest ?? null },
  };
}

/** `bentoctl_build_info{bento_name,bento_version,image_digest} 1`, the Prometheus convention. */
export function registerBuildInfo(registry: Registry, revision: ServedRevision): void {
  const gauge = new Gauge({
    name: 'bentoctl_build_info',
    help: 'Always 1; the labels name the bento and image this server runs.',
    labelNames: ['bento_name', 'bento_version', 'image_digest'],
    registers: [registry],
  });
  gauge.set(
    {
      bento_name: revision.bentoName,
      bento_version: revision.bentoVersion,
      image_digest: revision.imageDigest ?? '',
    },
    1,
  );
}
