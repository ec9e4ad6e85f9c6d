/**
 * One blob from the source repository to the destination: nothing when the destination has it
 * (HEAD), a cross-repository mount when both are on the same registry, else an upload streamed
 * from the source's GET: one monolithic PUT for small blobs, PATCH chunks then a closing PUT for
 * large ones. The registry checks the digest on the closing PUT, so a corrupt stream fails there.
 */
import { errors } from '../../errors/index.js';
import { ByteChunks } from './byte-chunks.js';
import type { Descriptor } from './manifest.js';
import type { RegistryClient, RegistryRequest } from './registry-client.js';

export type BlobOutcome = 'present' | 'mounted' | 'uploaded';

export interface BlobTransferOptions {
  /** Blobs up to this size go in one PUT. @default 16 MiB */
  readonly monolithicMaxBytes?: number;
  /** Chunk size of larger uploads. @default 64 MiB */
  readonly chunkBytes?: number;
}

export const DEFAULT_MONOLITHIC_MAX_BYTES = 16 * 1024 * 1024;
export const DEFAULT_CHUNK_BYTES = 64 * 1024 * 1024;

export async function copyBlob(
  source: RegistryClient,
  destination: RegistryClient,
  blob: Descriptor,
  label: string,
  options: BlobTransferOptions = {},
): Promise<BlobOutcome> {
  const to = destination.endpoint;
  const push = destination.scope('pull,push');
  const step = `Copying ${label} ${blob.digest} from ${source.repository} to ${destination.repository}`;
  const expect = async (request: RegistryRequest, statuses: readonly number[]) => {
    const response = await destination.send(request);
    if (!statuses.includes(response.status)) throw await destination.failure(request, response);
    return response;
  };

  const head = await expect(
    { method: 'HEAD', path: `/v2/${to.name}/blobs/${blob.digest}`, scopes: [push], step },
    [200, 404],
  );
  if (head.status === 200) return 'present';

  const open: RegistryRequest = {
    method: 'POST',
    path: `/v2/${to.name}/blobs/uploads/`,
    scopes: [push],
    step,
    headers: { 'content-length': '0' },
  };
  let started: Response | undefined;
  if (source.endpoint.baseUrl === to.baseUrl) {
    const mount = await destination.send({
      ...open,
      path: `${open.path}?mount=${encodeURIComponent(blob.digest)}&from=${encodeURIComponent(source.endpoint.name)}`,
      scopes: [push, source.scope('pull')],
    });
    await mount.body?.cancel();
    if (mount.status === 201) return 'mounted';
    // 202: the registry could not mount and opened an upload instead. Anything else (mounting
    // switched off, no pull right on the source for these credentials): upload as usual.
    if (mount.status === 202) started = mount;
  }
  started ??= await expect(open, [202]);
  await started.body?.cancel();
  let location = uploadLocation(started, to.baseUrl, step);

  const readRequest: RegistryRequest = {
    method: 'GET',
    path: `/v2/${source.endpoint.name}/blobs/${blob.digest}`,
    scopes: [source.scope('pull')],
    step,
  };
  const read = await source.send(readRequest);
  if (read.status !== 200 || read.body === null) throw await source.failure(readRequest, read);

  const monolithicMaxBytes = options.monolithicMaxBytes ?? DEFAULT_MONOLITHIC_MAX_BYTES;
  if (blob.size <= monolithicMaxBytes) {
    const done = await expect(
      {
        method: 'PUT',
        path: withDigest(location, blob.digest),
        scopes: [push],
        step,
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(blob.size),
        },
        body: read.body,
      },
      [201],
    );
    await done.body?.cancel();
    return 'uploaded';
  }

  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const chunks = new ByteChunks(read.body);
  try {
    for (let offset = 0; offset < blob.size; offset += chunkBytes) {
      const length = Math.min(chunkBytes, blob.size - offset);
      const sent = await expect(
        {
          method: 'PATCH',
          path: location,
          scopes: [push],
          step: `${step} (bytes ${offset}-${offset + length - 1} of ${blob.size})`,
          headers: {
            'content-type': 'application/octet-stream',
            'content-length': String(length),
            'content-range': `${offset}-${offset + length - 1}`,
          },
          body: chunks.next(length, `the source's ${blob.digest}`),
        },
        [202],
      );
      await sent.body?.cancel();
      location = uploadLocation(sent, to.baseUrl, step);
    }
  } finally {
    await chunks.cancel();
  }
  const closed = await expect(
    {
      method: 'PUT',
      path: withDigest(location, blob.digest),
      scopes: [push],
      step,
      headers: { 'content-length': '0' },
    },
    [201],
  );
  await closed.body?.cancel();
  return 'uploaded';
}

function uploadLocation(response: Response, baseUrl: string, step: string): string {
  const location = response.headers.get('location');
  if (location === null || location === '') {
    throw errors.registryRequestFailed(
      step,
      `the registry answered HTTP ${response.status} without an upload Location`,
    );
  }
  // A relative location is on the registry's origin (the request's).
  return new URL(location, baseUrl).toString();
}

function withDigest(location: string, digest: string): string {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  return url.toString();
}
