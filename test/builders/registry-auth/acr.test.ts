import { describe, expect, it, vi } from 'vitest';
import {
  ACR_TOKEN_USERNAME,
  acrCredentials,
  AZURE_MANAGEMENT_SCOPE,
  type FetchLike,
} from '../../../src/builders/registry-auth/acr.js';

const HOST = 'irisprodacr.azurecr.io';

function fakeFetch(status: number, body: unknown) {
  return vi.fn<FetchLike>(async () => ({
    ok: status >= 200 && status < 300,
    status,
    text: async () => (typeof body === 'string' ? body : JSON.stringify(body)),
  }));
}

describe('acrCredentials', () => {
  it('GIVEN an Entra ID token THEN exchanges it at /oauth2/exchange for a refresh token', async () => {
    const getToken = vi.fn(async () => ({ token: 'aad-token' }));
    const fetch = fakeFetch(200, { refresh_token: 'acr-refresh' });
    const credentials = await acrCredentials(HOST, { source: { getToken }, fetch, env: {} });
    expect(getToken).toHaveBeenCalledWith(AZURE_MANAGEMENT_SCOPE);
    expect(fetch).toHaveBeenCalledOnce();
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe(`https://${HOST}/oauth2/exchange`);
    expect(init?.method).toBe('POST');
    expect(init?.headers).toEqual({ 'content-type': 'application/x-www-form-urlencoded' });
    expect(Object.fromEntries(new URLSearchParams(init?.body))).toEqual({
      grant_type: 'access_token',
      service: HOST,
      access_token: 'aad-token',
    });
    expect(credentials).toEqual({
      serveraddress: HOST,
      username: ACR_TOKEN_USERNAME,
      password: 'acr-refresh',
    });
  });

  it('GIVEN admin credentials in the environment THEN uses them and asks Entra ID nothing', async () => {
    const getToken = vi.fn(async () => ({ token: 'unused' }));
    const credentials = await acrCredentials(HOST, {
      source: { getToken },
      env: { BENTOCTL_ACR_USERNAME: 'irisprodacr', BENTOCTL_ACR_PASSWORD: 'pw' },
    });
    expect(credentials).toEqual({ serveraddress: HOST, username: 'irisprodacr', password: 'pw' });
    expect(getToken).not.toHaveBeenCalled();
  });

  it('GIVEN the exchange is refused THEN REGISTRY_AUTH_FAILED shows the status and body', async () => {
    const failing = acrCredentials(HOST, {
      source: { getToken: async () => ({ token: 'aad' }) },
      fetch: fakeFetch(401, '{"errors":[{"code":"UNAUTHORIZED"}]}'),
      env: {},
    });
    await expect(failing).rejects.toMatchObject({ code: 'REGISTRY_AUTH_FAILED' });
    await expect(failing).rejects.toThrow(
      /answered HTTP 401: \{"errors":\[\{"code":"UNAUTHORIZED"\}\]\}/,
    );
    await expect(failing).rejects.toHaveProperty('hint', expect.stringContaining('az login'));
  });

  it('GIVEN no Azure credential THEN REGISTRY_AUTH_FAILED with the first line of the cause', async () => {
    const failing = acrCredentials(HOST, {
      source: {
        getToken: async () => {
          throw new Error(
            'DefaultAzureCredential failed to retrieve a token.\n  EnvironmentCredential is unavailable.',
          );
        },
      },
      env: {},
    });
    await expect(failing).rejects.toThrow(
      `No credentials for ${HOST}: DefaultAzureCredential gave no token: DefaultAzureCredential failed to retrieve a token..`,
    );
  });
});
