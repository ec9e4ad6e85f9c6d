import { describe, expect, it } from 'vitest';
import {
  artifactRegistryCredentials,
  isGoogleRegistry,
} from '../../../src/builders/registry-auth/artifact-registry.js';

describe('artifactRegistryCredentials', () => {
  it('GIVEN an ADC access token THEN logs in as oauth2accesstoken', async () => {
    const credentials = await artifactRegistryCredentials('europe-west4-docker.pkg.dev', {
      getAccessToken: async () => 'ya29.token',
    });
    expect(credentials).toEqual({
      serveraddress: 'https://europe-west4-docker.pkg.dev',
      username: 'oauth2accesstoken',
      password: 'ya29.token',
    });
  });

  it('GIVEN no default credentials THEN REGISTRY_AUTH_FAILED says how to get them', async () => {
    const failing = artifactRegistryCredentials('us-docker.pkg.dev', {
      getAccessToken: async () => {
        throw new Error('Could not load the default credentials.');
      },
    });
    await expect(failing).rejects.toMatchObject({ code: 'REGISTRY_AUTH_FAILED' });
    await expect(failing).rejects.toThrow(
      'No credentials for us-docker.pkg.dev: Application Default Credentials gave no access token: Could not load the default credentials..',
    );
    await expect(failing).rejects.toHaveProperty(
      'hint',
      expect.stringContaining('gcloud auth application-default login'),
    );
  });

  it('GIVEN an empty token THEN REGISTRY_AUTH_FAILED', async () => {
    await expect(
      artifactRegistryCredentials('us-docker.pkg.dev', { getAccessToken: async () => null }),
    ).rejects.toThrow(/empty access token/);
  });

  it('recognises Artifact Registry and gcr.io hosts only', () => {
    expect(isGoogleRegistry('us-central1-docker.pkg.dev')).toBe(true);
    expect(isGoogleRegistry('eu.gcr.io')).toBe(true);
    expect(isGoogleRegistry('registry.example.com')).toBe(false);
  });
});
