import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dockerConfigCredentials } from '../../../src/builders/registry-auth/docker-config.js';

describe('dockerConfigCredentials', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  function config(content: unknown): string {
    dir = mkdtempSync(join(tmpdir(), 'bentoctl-docker-config-'));
    writeFileSync(
      join(dir, 'config.json'),
      typeof content === 'string' ? content : JSON.stringify(content),
    );
    return dir;
  }
  const b64 = (text: string) => Buffer.from(text).toString('base64');

  it('GIVEN an auths entry with base64 user:password (key with scheme) THEN returns them for the host', async () => {
    const configDir = config({
      auths: { 'https://registry.example.com/v1/': { auth: b64('ci:pa:ss') } },
    });
    await expect(dockerConfigCredentials('registry.example.com', { configDir })).resolves.toEqual({
      serveraddress: 'registry.example.com',
      username: 'ci',
      password: 'pa:ss',
    });
  });

  it('GIVEN an auths entry with an identity token THEN returns the token, not a password', async () => {
    const configDir = config({
      auths: { 'registry.example.com': { identitytoken: 'refresh-123' } },
    });
    await expect(dockerConfigCredentials('registry.example.com', { configDir })).resolves.toEqual({
      serveraddress: 'registry.example.com',
      identitytoken: 'refresh-123',
    });
  });

  it('GIVEN credHelpers for the host THEN runs docker-credential-<helper> with the host', async () => {
    const configDir = config({ credHelpers: { 'eu.gcr.io': 'gcloud' }, credsStore: 'desktop' });
    const runHelper = vi.fn(async () =>
      JSON.stringify({ ServerURL: 'eu.gcr.io', Username: 'oauth2accesstoken', Secret: 'tok' }),
    );
    await expect(dockerConfigCredentials('eu.gcr.io', { configDir, runHelper })).resolves.toEqual({
      serveraddress: 'eu.gcr.io',
      username: 'oauth2accesstoken',
      password: 'tok',
    });
    expect(runHelper).toHaveBeenCalledWith('gcloud', 'eu.gcr.io');
  });

  it('GIVEN a helper answering with the <token> username THEN the secret is an identity token', async () => {
    const configDir = config({ credsStore: 'desktop' });
    const runHelper = vi.fn(async () => JSON.stringify({ Username: '<token>', Secret: 'idt' }));
    await expect(
      dockerConfigCredentials('acr.example.io', { configDir, runHelper }),
    ).resolves.toEqual({
      serveraddress: 'acr.example.io',
      identitytoken: 'idt',
    });
  });

  it('GIVEN the helper has nothing for the host THEN no credentials (push goes without)', async () => {
    const configDir = config({ credsStore: 'desktop' });
    const runHelper = vi.fn(async () => {
      throw new Error('credentials not found in native keychain (exit 1)');
    });
    await expect(
      dockerConfigCredentials('127.0.0.1:5000', { configDir, runHelper }),
    ).resolves.toBeUndefined();
  });

  it('GIVEN a failing helper THEN REGISTRY_AUTH_FAILED names the helper and how to try it', async () => {
    const configDir = config({ credHelpers: { 'r.example.com': 'broken' } });
    const runHelper = vi.fn(async () => {
      throw new Error('spawn docker-credential-broken ENOENT');
    });
    const failing = dockerConfigCredentials('r.example.com', { configDir, runHelper });
    await expect(failing).rejects.toMatchObject({ code: 'REGISTRY_AUTH_FAILED' });
    await expect(failing).rejects.toThrow(
      /docker-credential-broken failed: spawn docker-credential-broken ENOENT/,
    );
    await expect(failing).rejects.toHaveProperty(
      'hint',
      expect.stringContaining('docker-credential-broken get'),
    );
  });

  it('GIVEN a config that is not JSON THEN REGISTRY_AUTH_FAILED names the file', async () => {
    const configDir = config('{not json');
    await expect(dockerConfigCredentials('r.example.com', { configDir })).rejects.toThrow(
      /config\.json is not valid JSON/,
    );
  });

  it('GIVEN no config file THEN no credentials', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bentoctl-docker-config-'));
    await expect(
      dockerConfigCredentials('r.example.com', { configDir: dir }),
    ).resolves.toBeUndefined();
  });
});
