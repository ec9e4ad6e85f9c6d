/**
 * The runtime says which revision answers (bento version from the bento, image digest from
 * BENTOCTL_IMAGE_DIGEST) on every response, in the probe and OIP metadata bodies, and as the
 * `bentoctl_build_info` gauge, so a deploy can tell the new revision from the old one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBentoManifest } from '../../src/bento/manifest.js';
import { readSettings } from '../../src/runtime/settings.js';
import { makeTestBento } from './helpers/models.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const DIGEST = `sha256:${'c'.repeat(64)}`;

describe('the served revision', () => {
  let server: TestServer;
  let bentoVersion: string;
  beforeAll(async () => {
    const bento = makeTestBento();
    bentoVersion = loadBentoManifest(bento).version;
    server = await startTestServer(bento, {}, { BENTOCTL_IMAGE_DIGEST: DIGEST });
  });
  afterAll(async () => {
    await server.handle.shutdown();
  });

  it('GIVEN an image digest WHEN any path answers, even a 404 THEN the headers name the bento version and digest', async () => {
    for (const path of ['/readyz', '/healthz', '/metrics', '/no-such-path']) {
      const response = await fetch(`${server.url}${path}`);
      await response.body?.cancel();
      expect(response.headers.get('bentoctl-bento-version'), path).toBe(bentoVersion);
      expect(response.headers.get('bentoctl-image-digest'), path).toBe(DIGEST);
    }
  });

  it('GIVEN the probes and the OIP server metadata THEN their bodies carry the revision', async () => {
    const readyz = (await (await fetch(`${server.url}/readyz`)).json()) as Record<string, unknown>;
    const healthz = (await (await fetch(`${server.url}/healthz`)).json()) as Record<
      string,
      unknown
    >;
    const v2 = (await (await fetch(`${server.url}/v2`)).json()) as Record<string, unknown>;

    expect(readyz).toMatchObject({
      status: 'ready',
      bento_version: bentoVersion,
      image_digest: DIGEST,
    });
    expect(healthz).toMatchObject({ status: 'ok', bento_version: bentoVersion });
    expect(v2).toMatchObject({
      name: 'test_bento',
      version: bentoVersion,
      bento_version: bentoVersion,
      image_digest: DIGEST,
    });
  });

  it('GIVEN /metrics THEN bentoctl_build_info is 1 with the revision as labels', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();

    expect(text).toContain(
      `bentoctl_build_info{bento_name="test_bento",bento_version="${bentoVersion}",image_digest="${DIGEST}"} 1`,
    );
  });

  it('GIVEN a malformed BENTOCTL_IMAGE_DIGEST THEN the settings refuse to start, naming it', () => {
    expect(() => readSettings({ BENTOCTL_IMAGE_DIGEST: 'latest' })).toThrow(
      /BENTOCTL_IMAGE_DIGEST="latest": must be sha256:<64 hex digits>/,
    );
  });
});
