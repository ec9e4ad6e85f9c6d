/**
 * Manifests between registries: read by digest with every supported type accepted and checked
 * against the digest, written with the served bytes and media type, and asked back from the
 * destination, which must serve the same digest.
 */
import { errors } from '../../errors/index.js';
import { MANIFEST_ACCEPT, parseManifest, sha256Digest, type Manifest } from './manifest.js';
import type { RegistryClient, RegistryRequest } from './registry-client.js';

/** A manifest as the source served it: the digest names exactly these bytes. */
export interface ServedManifest {
  readonly digest: string;
  readonly bytes: Uint8Array;
  readonly manifest: Manifest;
}

/** Manifests are small (the OCI spec lets registries refuse above 4 MiB); blobs are streamed. */
const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;

/** The manifest `digest` names, as the source serves it; bytes of another digest are refused. */
export async function readManifest(
  source: RegistryClient,
  digest: string,
): Promise<ServedManifest> {
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
export async function putManifest(
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

/** Points `tag` at the manifest; a tag already on it is left alone, since tags may be immutable (ECR). */
export async function putTag(
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

/** Fails unless the destination resolves `reference` to `expected`. */
export async function expectServed(
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
