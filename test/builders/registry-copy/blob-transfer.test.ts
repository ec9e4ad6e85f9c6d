import { describe, expect, it } from 'vitest';
import { copyBlob } from '../../../src/builders/registry-copy/blob-transfer.js';
import { RegistryClient } from '../../../src/builders/registry-copy/registry-client.js';
import { scriptedRegistry } from './scripted-registry.js';

const BLOB = { mediaType: 'application/octet-stream', digest: `sha256:${'e'.repeat(64)}`, size: 3 };

function clients(fetch: typeof globalThis.fetch) {
  const side = (repository: string, role: 'source' | 'destination') =>
    new RegistryClient({
      repository,
      role,
      family: 'docker-config',
      credentialsSource: 'none',
      fetch,
    });
  return [side('reg.example.com/a', 'source'), side('reg.example.com/b', 'destination')] as const;
}

describe('copyBlob on one registry', () => {
  it('GIVEN the registry refuses the mount THEN the blob is uploaded from the source instead', async () => {
    const { fetch, requests } = scriptedRegistry([
      ['GET', /\/v2\/$/, () => new Response('', { status: 200 })],
      ['HEAD', /\/v2\/b\/blobs\//, () => new Response(null, { status: 404 })],
      [
        'POST',
        /\/v2\/b\/blobs\/uploads\/\?mount=/,
        () => new Response('{"errors":[{"code":"UNSUPPORTED"}]}', { status: 405 }),
      ],
      [
        'POST',
        /\/v2\/b\/blobs\/uploads\/$/,
        () =>
          new Response(null, {
            status: 202,
            headers: { location: '/v2/b/blobs/uploads/u1?_state=x' },
          }),
      ],
      ['GET', /\/v2\/a\/blobs\//, () => new Response('abc', { status: 200 })],
      ['PUT', /\/v2\/b\/blobs\/uploads\/u1/, () => new Response(null, { status: 201 })],
    ]);
    const [source, destination] = clients(fetch);

    expect(await copyBlob(source, destination, BLOB, 'layer 1 of 1')).toBe('uploaded');

    const put = requests.find((request) => request.method === 'PUT');
    expect(put?.url).toBe(
      `https://reg.example.com/v2/b/blobs/uploads/u1?_state=x&digest=${encodeURIComponent(BLOB.digest)}`,
    );
    expect(put?.body).toBe('abc');
  });

  it('GIVEN the registry mounts THEN nothing is read from the source', async () => {
    const { fetch, requests } = scriptedRegistry([
      ['GET', /\/v2\/$/, () => new Response('', { status: 200 })],
      ['HEAD', /\/v2\/b\/blobs\//, () => new Response(null, { status: 404 })],
      [
        'POST',
        /\/v2\/b\/blobs\/uploads\/\?mount=.*&from=a$/,
        () => new Response(null, { status: 201 }),
      ],
    ]);
    const [source, destination] = clients(fetch);

    expect(await copyBlob(source, destination, BLOB, 'layer 1 of 1')).toBe('mounted');
    expect(requests.some((request) => request.url.includes('/v2/a/'))).toBe(false);
  });
});
