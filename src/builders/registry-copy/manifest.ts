/**
 * Image manifests and indexes (OCI image spec, and Docker's schema 2 and manifest list, which
 * registries still serve): what a copy must carry, read from the exact bytes the registry
 * served, since those bytes are what the digest names.
 */
import { createHash } from 'node:crypto';
import { errors } from '../../errors/index.js';

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

/** Every manifest type bentoctl copies, for the Accept header. */
export const MANIFEST_ACCEPT = Object.values(MEDIA_TYPES).join(', ');

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  /** Set on foreign (non-distributable) layers, which registries do not hold. */
  readonly urls?: readonly string[];
}

export type Manifest =
  | {
      readonly kind: 'index';
      readonly mediaType: string;
      readonly manifests: readonly Descriptor[];
    }
  | {
      readonly kind: 'image';
      readonly mediaType: string;
      /** The config blob first, then the layers, as the manifest lists them. */
      readonly blobs: readonly Descriptor[];
    };

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * The manifest in `bytes`, whose type is the served Content-Type or, when a registry answers
 * with a generic one, the manifest's own `mediaType`.
 */
export function parseManifest(
  bytes: Uint8Array,
  contentType: string | null,
  where: string,
): Manifest {
  let value: {
    mediaType?: unknown;
    manifests?: unknown;
    config?: unknown;
    layers?: unknown;
    schemaVersion?: unknown;
  };
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8')) as typeof value;
  } catch {
    throw errors.registryRequestFailed(where, 'the manifest is not JSON');
  }
  const served = contentType?.split(';')[0]?.trim();
  const mediaType =
    served !== undefined && (Object.values(MEDIA_TYPES) as string[]).includes(served)
      ? served
      : typeof value.mediaType === 'string'
        ? value.mediaType
        : Array.isArray(value.manifests)
          ? MEDIA_TYPES.ociIndex
          : MEDIA_TYPES.ociManifest;
  if (
    value.schemaVersion === 1 ||
    mediaType.startsWith('application/vnd.docker.distribution.manifest.v1')
  ) {
    throw errors.registryRequestFailed(
      where,
      'the image has a Docker schema 1 manifest, which cannot be copied without changing its digest',
      'Rebuild the image with a current Docker or BuildKit (schema 2 or OCI) and push it again.',
    );
  }
  if (mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerList) {
    return { kind: 'index', mediaType, manifests: descriptors(value.manifests, where) };
  }
  if (mediaType === MEDIA_TYPES.ociManifest || mediaType === MEDIA_TYPES.dockerManifest) {
    return {
      kind: 'image',
      mediaType,
      blobs: [...descriptors([value.config], where), ...descriptors(value.layers ?? [], where)],
    };
  }
  throw errors.registryRequestFailed(
    where,
    `the manifest has the media type ${mediaType}, which bentoctl does not copy`,
  );
}

function descriptors(list: unknown, where: string): Descriptor[] {
  if (!Array.isArray(list))
    throw errors.registryRequestFailed(where, 'the manifest lists no descriptors');
  return list.map((item: unknown) => {
    const entry = (item ?? {}) as {
      mediaType?: unknown;
      digest?: unknown;
      size?: unknown;
      urls?: unknown;
    };
    if (
      typeof entry.digest !== 'string' ||
      !/^[a-z0-9+._-]+:[a-zA-Z0-9=_-]+$/.test(entry.digest) ||
      typeof entry.size !== 'number'
    ) {
      throw errors.registryRequestFailed(
        where,
        `the manifest has a descriptor without a valid digest and size: ${JSON.stringify(item).slice(0, 200)}`,
      );
    }
    return {
      mediaType: typeof entry.mediaType === 'string' ? entry.mediaType : 'application/octet-stream',
      digest: entry.digest,
      size: entry.size,
      ...(Array.isArray(entry.urls) && entry.urls.length > 0
        ? { urls: entry.urls.map(String) }
        : {}),
    };
  });
}
