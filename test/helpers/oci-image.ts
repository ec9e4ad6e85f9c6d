/**
 * Small OCI images pushed straight through the registry API (no Docker): random layers, a
 * config, and a manifest or a multi-platform index. The manifests are written with unusual
 * whitespace, so a copy that re-serialises them changes their digest and fails the test.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Registry } from './registry.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

export interface PushedImage {
  /** The digest of the manifest (or the index). */
  readonly digest: string;
  readonly mediaType: string;
  /** Every blob digest (configs and layers). */
  readonly blobs: readonly string[];
  /** The platform manifests of an index. */
  readonly children: readonly string[];
}

export function digestOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** What the registry asks for `name`: nothing, basic credentials, or a token for pull and push. */
export function authHeaders(registry: Registry, name: string): Record<string, string> {
  if (registry.tokens !== undefined) {
    return { authorization: registry.tokens.authorization([`repository:${name}:pull,push`]) };
  }
  if (registry.auth === undefined) return {};
  const pair = `${registry.auth.username}:${registry.auth.password}`;
  return { authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
}

export async function pushBlob(
  registry: Registry,
  name: string,
  bytes: Uint8Array,
): Promise<string> {
  const digest = digestOf(bytes);
  const started = await fetch(`${registry.url}/v2/${name}/blobs/uploads/`, {
    method: 'POST',
    headers: authHeaders(registry, name),
  });
  if (started.status !== 202) throw new Error(`POST upload: HTTP ${started.status}`);
  const location = new URL(started.headers.get('location') ?? '', registry.url);
  location.searchParams.set('digest', digest);
  const done = await fetch(location, {
    method: 'PUT',
    headers: { ...authHeaders(registry, name), 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  if (done.status !== 201) throw new Error(`PUT blob: HTTP ${done.status} ${await done.text()}`);
  return digest;
}

export async function pushManifest(
  registry: Registry,
  name: string,
  reference: string,
  bytes: Uint8Array,
  mediaType: string,
): Promise<string> {
  const response = await fetch(`${registry.url}/v2/${name}/manifests/${reference}`, {
    method: 'PUT',
    headers: { ...authHeaders(registry, name), 'content-type': mediaType },
    body: bytes,
  });
  if (response.status !== 201) {
    throw new Error(`PUT manifest: HTTP ${response.status} ${await response.text()}`);
  }
  return digestOf(bytes);
}

/** One platform's image: a shared layer when given, its own random layer, a config. */
async function pushPlatformImage(
  registry: Registry,
  name: string,
  platform: { readonly os: string; readonly architecture: string },
  layerBytes: number,
  shared: { digest: string; size: number } | undefined,
): Promise<{ digest: string; size: number; blobs: string[] }> {
  const layer = randomBytes(layerBytes);
  const layerDigest = await pushBlob(registry, name, layer);
  const layers = [
    ...(shared === undefined ? [] : [shared]),
    { digest: layerDigest, size: layer.length },
  ];
  const config = Buffer.from(
    JSON.stringify({
      ...platform,
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    }),
  );
  const configDigest = await pushBlob(registry, name, config);
  const manifest = Buffer.from(
    JSON.stringify(
      {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: configDigest,
          size: config.length,
        },
        layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...l })),
      },
      null,
      3,
    ),
  );
  const digest = await pushManifest(registry, name, digestOf(manifest), manifest, OCI_MANIFEST);
  return { digest, size: manifest.length, blobs: [configDigest, layerDigest] };
}

export async function pushTestImage(
  registry: Registry,
  name: string,
  options: {
    readonly tag?: string;
    readonly platforms?: number;
    readonly layerBytes?: number;
  } = {},
): Promise<PushedImage> {
  const layerBytes = options.layerBytes ?? 4096;
  const platforms = options.platforms ?? 1;
  if (platforms === 1) {
    const image = await pushPlatformImage(
      registry,
      name,
      { os: 'linux', architecture: 'amd64' },
      layerBytes,
      undefined,
    );
    if (options.tag !== undefined)
      await retag(registry, name, image.digest, options.tag, OCI_MANIFEST);
    return { digest: image.digest, mediaType: OCI_MANIFEST, blobs: image.blobs, children: [] };
  }
  // Platforms share a base layer, as real multi-platform images do not, but a copy must
  // carry a blob two manifests name only once.
  const base = randomBytes(layerBytes);
  const shared = { digest: await pushBlob(registry, name, base), size: base.length };
  const architectures = ['amd64', 'arm64', 'ppc64le', 's390x'];
  const children = [];
  for (let index = 0; index < platforms; index++) {
    const platform = {
      os: 'linux',
      architecture: architectures[index % architectures.length] ?? 'amd64',
    };
    children.push({
      ...(await pushPlatformImage(registry, name, platform, layerBytes, shared)),
      platform,
    });
  }
  const index = Buffer.from(
    `${JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: children.map((child) => ({
        mediaType: OCI_MANIFEST,
        digest: child.digest,
        size: child.size,
        platform: child.platform,
      })),
    })}\n\n`,
  );
  const digest = await pushManifest(
    registry,
    name,
    options.tag ?? digestOf(index),
    index,
    OCI_INDEX,
  );
  return {
    digest,
    mediaType: OCI_INDEX,
    blobs: [shared.digest, ...children.flatMap((child) => child.blobs)],
    children: children.map((child) => child.digest),
  };
}

async function retag(
  registry: Registry,
  name: string,
  digest: string,
  tag: string,
  mediaType: string,
) {
  const response = await fetch(`${registry.url}/v2/${name}/manifests/${digest}`, {
    headers: { ...authHeaders(registry, name), accept: mediaType },
  });
  await pushManifest(registry, name, tag, new Uint8Array(await response.arrayBuffer()), mediaType);
}

/** The digest `reference` resolves to in the registry, or undefined (404). */
export async function servedDigest(
  registry: Registry,
  name: string,
  reference: string,
): Promise<string | undefined> {
  const response = await fetch(`${registry.url}/v2/${name}/manifests/${reference}`, {
    headers: { ...authHeaders(registry, name), accept: `${OCI_INDEX}, ${OCI_MANIFEST}` },
  });
  if (response.status === 404) return undefined;
  if (response.status !== 200)
    throw new Error(`GET manifest ${reference}: HTTP ${response.status}`);
  return digestOf(new Uint8Array(await response.arrayBuffer()));
}

export async function hasBlob(registry: Registry, name: string, digest: string): Promise<boolean> {
  const response = await fetch(`${registry.url}/v2/${name}/blobs/${digest}`, {
    method: 'HEAD',
    headers: authHeaders(registry, name),
  });
  return response.status === 200;
}
