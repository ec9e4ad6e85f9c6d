/**
 * Copies an image by digest from one repository to another through the registry HTTP API: the
 * manifest (or the index and each child manifest), its config and layer blobs, then the manifest
 * PUT with the exact bytes and media type it was served with, so its digest is unchanged; then
 * the destination is asked which digest it serves. Works between any two registries that follow
 * the OCI distribution spec (ECR, Artifact Registry, ACR, Docker Hub, distribution).
 */
import { errors } from '../../errors/index.js';
import type { RegistryFamily } from '../registry-auth/push-credentials.js';
import type { RegistryCredentials } from '../registry-auth/registry-credentials.js';
import { copyBlob, type BlobOutcome, type BlobTransferOptions } from './blob-transfer.js';
import {
  MANIFEST_ACCEPT,
  parseManifest,
  sha256Digest,
  type Descriptor,
  type Manifest,
} from './manifest.js';
import { RegistryClient, type Fetch, type RegistryRequest } from './registry-client.js';

/** One side of a copy and how to authenticate to it. */
export interface CopyEndpoint {
  readonly repository: string;
  readonly family: RegistryFamily;
  /** Undefined: anonymous (an open registry). */
  readonly credentials: RegistryCredentials | undefined;
  /** Where the credentials came from, for errors, e.g. `an ECR login`. */
  readonly credentialsSource: string;
}

export interface CopyImageInput {
  readonly source: CopyEndpoint & { readonly digest: string };
  readonly destination: CopyEndpoint;
  /** Also points this tag at the image in the destination. @default - no tag */
  readonly tag?: string | undefined;
  /** @default globalThis.fetch */
  readonly fetch?: Fetch;
  readonly transfer?: BlobTransferOptions;
  /** One line per manifest and blob copied. */
  readonly onProgress?: (line: string) => void;
}

export interface CopyImageResult {
  /** The digest the destination serves, equal to the source's. */
  readonly digest: string;
  /** Manifests written: 1, or 1 + the platforms of an index. */
  readonly manifests: number;
  readonly blobs: Readonly<Record<BlobOutcome, number>>;
  readonly tag: string | undefined;
}

interface ServedManifest {
  readonly digest: string;
  readonly bytes: Uint8Array;
  readonly manifest: Manifest;
}

/** Manifests are small (the OCI spec lets registries refuse above 4 MiB); blobs are streamed. */
const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;
/** Layers registries do not hold (Windows base layers): they stay where their URLs point. */
const FOREIGN = /nondistributable|foreign/;

export async function copyImage(input: CopyImageInput): Promise<CopyImageResult> {
  const say = input.onProgress ?? (() => undefined);
  const source = new RegistryClient({
    ...input.source,
    role: 'source',
    ...(input.fetch ? { fetch: input.fetch } : {}),
  });
  const destination = new RegistryClient({
    ...input.destination,
    role: 'destination',
    ...(input.fetch ? { fetch: input.fetch } : {}),
  });
  const blobs: Record<BlobOutcome, number> = { present: 0, mounted: 0, uploaded: 0 };
  const copied = new Set<string>();

  const copyBlobsOf = async (served: ServedManifest, platform: string) => {
    if (served.manifest.kind !== 'image') return;
    const list = served.manifest.blobs;
    for (const [index, blob] of list.entries()) {
      if (copied.has(blob.digest) || blob.urls !== undefined || FOREIGN.test(blob.mediaType))
        continue;
      const label = `${index === 0 ? 'config' : `layer ${index} of ${list.length - 1}`}${platform}`;
      const outcome = await copyBlob(source, destination, blob, label, input.transfer);
      blobs[outcome] += 1;
      copied.add(blob.digest);
      say(`  ${label} ${short(blob.digest)} ${outcome}`);
    }
  };

  const top = await readManifest(source, input.source.digest);
  let manifests = 1;
  if (top.manifest.kind === 'index') {
    for (const [index, child] of top.manifest.manifests.entries()) {
      const platform = ` of platform ${index + 1} of ${top.manifest.manifests.length}`;
      const served = await readManifest(source, child.digest);
      if (served.manifest.kind === 'index') {
        throw errors.registryRequestFailed(
          `Reading ${source.repository}@${child.digest}`,
          'an index inside an index is not copied',
        );
      }
      await copyBlobsOf(served, platform);
      await putManifest(destination, served, child.digest);
      manifests += 1;
      say(`  manifest${platform} ${short(child.digest)} written`);
    }
  } else {
    await copyBlobsOf(top, '');
  }
  await putManifest(destination, top, top.digest);
  if (input.tag !== undefined) await putTag(destination, top, input.tag);

  await expectServed(destination, top.digest, top.digest);
  if (input.tag !== undefined) await expectServed(destination, input.tag, top.digest);
  return { digest: top.digest, manifests, blobs, tag: input.tag };
}

async function readManifest(source: RegistryClient, digest: string): Promise<ServedManifest> {
  const request: RegistryRequest = {
    method: 'GET',
    path: `/v2/${source.endpoint.name}/manifests/${digest}`,
    scopes: [source.scope('pull')],
    step: `Reading manifest ${digest} from ${source.repository}`,
    headers: { accept: MANIFEST_ACCEPT },
  };
  const response = await source.send(request);
  if (response.status === 404) {
    const body = (await response.text()).slice(0, 300).trim();
    throw errors.registryRequestFailed(
      request.step,
      `GET ${source.endpoint.baseUrl}/v2/${source.endpoint.name}/manifests/${digest} answered HTTP 404${body === '' ? '' : `: ${body}`}`,
      `The image is not in ${source.repository} (deleted by a lifecycle policy, or pushed elsewhere): build and push it again, then rerun.`,
    );
  }
  if (response.status !== 200) throw await source.failure(request, response);
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MANIFEST_MAX_BYTES) {
    throw errors.registryRequestFailed(
      request.step,
      `the manifest is ${length} bytes, above the ${MANIFEST_MAX_BYTES} a manifest may have`,
    );
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  const served = sha256Digest(bytes);
  // Only sha256 digests are checked here: the registry checks others when they are written.
  if (digest.startsWith('sha256:') && served !== digest) {
    throw errors.imageDigestMismatch(`${source.repository} (the source)`, digest, served);
  }
  return {
    digest,
    bytes,
    manifest: parseManifest(bytes, response.headers.get('content-type'), request.step),
  };
}

/** PUT of the served bytes under their media type: any re-serialisation would change the digest. */
async function putManifest(
  destination: RegistryClient,
  served: ServedManifest,
  reference: string,
): Promise<void> {
  const request: RegistryRequest = {
    method: 'PUT',
    path: `/v2/${destination.endpoint.name}/manifests/${reference}`,
    scopes: [destination.scope('pull,push')],
    step: `Writing manifest ${reference === served.digest ? served.digest : `${served.digest} as tag ${reference}`} to ${destination.repository}`,
    headers: { 'content-type': served.manifest.mediaType },
    body: served.bytes,
  };
  const response = await destination.send(request);
  if (response.status !== 201 && response.status !== 200)
    throw await destination.failure(request, response);
  await response.body?.cancel();
  const written = response.headers.get('docker-content-digest');
  if (written !== null && written !== served.digest) {
    throw errors.imageDigestMismatch(
      `${destination.repository} (after writing the manifest)`,
      served.digest,
      written,
    );
  }
}

/** Tags may be immutable (ECR): a tag already on this digest is left as it is. */
async function putTag(
  destination: RegistryClient,
  served: ServedManifest,
  tag: string,
): Promise<void> {
  if (
    (await servedDigest(destination, tag, `Reading tag ${tag} of ${destination.repository}`)) ===
    served.digest
  )
    return;
  await putManifest(destination, served, tag);
}

async function expectServed(
  destination: RegistryClient,
  reference: string,
  expected: string,
): Promise<void> {
  const served = await servedDigest(
    destination,
    reference,
    `Checking ${destination.repository}:${reference} after the copy`,
  );
  if (served !== expected) {
    throw errors.imageDigestMismatch(
      `${destination.repository}${reference.includes(':') ? '@' : ':'}${reference}`,
      expected,
      served ?? 'nothing (HTTP 404)',
    );
  }
}

/** The digest a reference resolves to: the Docker-Content-Digest header, else the bytes' hash. */
async function servedDigest(
  client: RegistryClient,
  reference: string,
  step: string,
): Promise<string | undefined> {
  const path = `/v2/${client.endpoint.name}/manifests/${reference}`;
  const head: RegistryRequest = {
    method: 'HEAD',
    path,
    scopes: [client.scope('pull,push')],
    step,
    headers: { accept: MANIFEST_ACCEPT },
  };
  const answer = await client.send(head);
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) throw await client.failure(head, answer);
  const header = answer.headers.get('docker-content-digest');
  if (header !== null) return header;
  const get: RegistryRequest = { ...head, method: 'GET' };
  const body = await client.send(get);
  if (body.status !== 200) throw await client.failure(get, body);
  return sha256Digest(new Uint8Array(await body.arrayBuffer()));
}

function short(digest: string): string {
  return digest.slice(0, 19);
}

export type { Descriptor };
