import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { copyImage } from '../../../src/builders/registry-copy/copy-image.js';
import { bentoctlFailure } from '../../helpers/bentoctl-failure.js';
import { scriptedRegistry, type Route } from './scripted-registry.js';

const MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';
const CONFIG = `sha256:${'c'.repeat(64)}`;
const MANIFEST = Buffer.from(
  JSON.stringify(
    {
      schemaVersion: 2,
      mediaType: MEDIA_TYPE,
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        digest: CONFIG,
        size: 2,
      },
      layers: [],
    },
    null,
    1,
  ),
);
const DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`;
const OTHER = `sha256:${'0'.repeat(64)}`;

const open: Route = ['GET', /\/v2\/$/, () => new Response('', { status: 200 })];
const sourceManifest = (bytes: Buffer): Route => [
  'GET',
  /src\.example\.com\/v2\/iris\/manifests\//,
  () => new Response(bytes, { status: 200, headers: { 'content-type': MEDIA_TYPE } }),
];
const configPresent: Route = [
  'HEAD',
  /dst\.example\.com\/v2\/iris\/blobs\//,
  () => new Response(null, { status: 200 }),
];

function copy(fetch: typeof globalThis.fetch) {
  return copyImage({
    source: {
      repository: 'src.example.com/iris',
      family: 'docker-config',
      credentials: undefined,
      credentialsSource: 'none',
      digest: DIGEST,
    },
    destination: {
      repository: 'dst.example.com/iris',
      family: 'docker-config',
      credentials: undefined,
      credentialsSource: 'none',
    },
    fetch,
  });
}

describe('copyImage', () => {
  it('GIVEN a manifest WHEN written THEN the exact bytes go under the media type they were served with', async () => {
    const { fetch, requests } = scriptedRegistry([
      open,
      sourceManifest(MANIFEST),
      configPresent,
      [
        'PUT',
        /dst\.example\.com\/v2\/iris\/manifests\//,
        () => new Response(null, { status: 201, headers: { 'docker-content-digest': DIGEST } }),
      ],
      [
        'HEAD',
        /dst\.example\.com\/v2\/iris\/manifests\//,
        () => new Response(null, { status: 200, headers: { 'docker-content-digest': DIGEST } }),
      ],
    ]);

    const result = await copy(fetch);

    expect(result).toMatchObject({
      digest: DIGEST,
      blobs: { present: 1, mounted: 0, uploaded: 0 },
    });
    const put = requests.find((r) => r.method === 'PUT');
    expect(put?.url).toBe(`https://dst.example.com/v2/iris/manifests/${DIGEST}`);
    expect(put?.headers['content-type']).toBe(MEDIA_TYPE);
    expect(put?.body).toBe(MANIFEST.toString('utf8'));
  });

  it('GIVEN the destination serves another digest after the copy THEN it is an error that says so', async () => {
    const { fetch } = scriptedRegistry([
      open,
      sourceManifest(MANIFEST),
      configPresent,
      [
        'PUT',
        /dst\.example\.com\/v2\/iris\/manifests\//,
        () => new Response(null, { status: 201 }),
      ],
      [
        'HEAD',
        /dst\.example\.com\/v2\/iris\/manifests\//,
        () => new Response(null, { status: 200, headers: { 'docker-content-digest': OTHER } }),
      ],
    ]);

    const error = await bentoctlFailure(copy(fetch));

    expect(error.code).toBe('IMAGE_DIGEST_MISMATCH');
    expect(error.message).toBe(
      `dst.example.com/iris@${DIGEST} serves ${OTHER} where the copied image is ${DIGEST}: the copy is not the same image.`,
    );
  });

  it('GIVEN the destination rewrites the manifest on PUT THEN the digest it reports fails the copy', async () => {
    const { fetch } = scriptedRegistry([
      open,
      sourceManifest(MANIFEST),
      configPresent,
      [
        'PUT',
        /dst\.example\.com\/v2\/iris\/manifests\//,
        () => new Response(null, { status: 201, headers: { 'docker-content-digest': OTHER } }),
      ],
    ]);

    expect((await bentoctlFailure(copy(fetch))).code).toBe('IMAGE_DIGEST_MISMATCH');
  });

  it('GIVEN the source serves bytes that are not the digest asked for THEN nothing is written', async () => {
    const { fetch, requests } = scriptedRegistry([
      open,
      sourceManifest(Buffer.concat([MANIFEST, Buffer.from(' ')])),
    ]);

    const error = await bentoctlFailure(copy(fetch));

    expect(error.code).toBe('IMAGE_DIGEST_MISMATCH');
    expect(error.message).toContain('src.example.com/iris (the source)');
    expect(requests.some((r) => r.method === 'PUT')).toBe(false);
  });

  it('GIVEN the image is gone from the source THEN the 404 says where and what to do', async () => {
    const { fetch } = scriptedRegistry([
      open,
      [
        'GET',
        /manifests/,
        () => new Response('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}', { status: 404 }),
      ],
    ]);

    const error = await bentoctlFailure(copy(fetch));

    expect(error.code).toBe('REGISTRY_REQUEST_FAILED');
    expect(error.message).toContain(`Reading manifest ${DIGEST} from src.example.com/iris`);
    expect(error.message).toContain('HTTP 404');
    expect(error.hint).toContain('build and push it again');
  });
});
