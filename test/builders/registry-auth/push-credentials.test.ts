import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FetchLike } from '../../../src/builders/registry-auth/acr.js';
import {
  registryFamily,
  resolvePushTarget,
} from '../../../src/builders/registry-auth/push-credentials.js';

const TOKEN = Buffer.from('AWS:pw').toString('base64');

describe('registryFamily', () => {
  it.each([
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/iris', 'ecr'],
    ['europe-west4-docker.pkg.dev/proj/repo/iris', 'artifact-registry'],
    ['irisacr.azurecr.io/iris', 'acr'],
    ['127.0.0.1:5000/iris', 'docker-config'],
    ['ghcr.io/team/iris', 'docker-config'],
  ])('%s -> %s', (repository, family) => {
    expect(registryFamily(repository)).toBe(family);
  });
});

describe('resolvePushTarget', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('GIVEN the ECR default THEN the repository is named from the login account and created if missing', async () => {
    const inputs: object[] = [];
    const ecrClient = vi.fn(async () => ({
      send: async (command: { readonly input: object }) => {
        inputs.push(command.input);
        if (command.constructor.name === 'GetAuthorizationTokenCommand') {
          return {
            authorizationData: [
              {
                authorizationToken: TOKEN,
                proxyEndpoint: 'https://210987654321.dkr.ecr.us-west-2.amazonaws.com',
              },
            ],
          };
        }
        return { repositories: [{ repositoryName: 'iris-prod' }] };
      },
    }));
    const target = await resolvePushTarget(
      { kind: 'ecr-default', region: 'us-west-2', name: 'iris-prod', source: 'target-default' },
      { ecrClient },
    );
    expect(ecrClient).toHaveBeenCalledWith('us-west-2');
    expect(target.repository).toBe('210987654321.dkr.ecr.us-west-2.amazonaws.com/iris-prod');
    expect(target.credentials).toEqual({
      serveraddress: '210987654321.dkr.ecr.us-west-2.amazonaws.com',
      username: 'AWS',
      password: 'pw',
    });
    expect(inputs).toContainEqual({ repositoryNames: ['iris-prod'] });
  });

  it('GIVEN an ECR repository in the config THEN logs in to its own region', async () => {
    const ecrClient = vi.fn(async () => ({
      send: async (command: { readonly input: object }) =>
        command.constructor.name === 'GetAuthorizationTokenCommand'
          ? {
              authorizationData: [
                {
                  authorizationToken: TOKEN,
                  proxyEndpoint: 'https://123456789012.dkr.ecr.eu-central-1.amazonaws.com',
                },
              ],
            }
          : { repositories: [{ repositoryName: 'ml/iris' }] },
    }));
    const repository = '123456789012.dkr.ecr.eu-central-1.amazonaws.com/ml/iris';
    const target = await resolvePushTarget(
      { kind: 'repository', repository, source: 'config' },
      { ecrClient },
    );
    expect(ecrClient).toHaveBeenCalledWith('eu-central-1');
    expect(target).toMatchObject({ repository, family: 'ecr' });
  });

  it('GIVEN any other registry THEN the Docker config credentials, or none with a note', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bentoctl-push-'));
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ auths: { 'ghcr.io': { auth: Buffer.from('u:p').toString('base64') } } }),
    );
    const withAuth = await resolvePushTarget(
      { kind: 'repository', repository: 'ghcr.io/team/iris', source: 'flag' },
      { dockerConfig: { configDir: dir } },
    );
    expect(withAuth.credentials).toEqual({
      serveraddress: 'ghcr.io',
      username: 'u',
      password: 'p',
    });
    const open = await resolvePushTarget(
      { kind: 'repository', repository: '127.0.0.1:5000/iris', source: 'flag' },
      { dockerConfig: { configDir: dir } },
    );
    expect(open.credentials).toBeUndefined();
    expect(open.notes).toEqual([
      'no credentials for 127.0.0.1:5000 in the Docker config; pushing without',
    ]);
  });
});

describe('resolvePushTarget for Artifact Registry', () => {
  it('GIVEN the Cloud Run default repository is missing THEN it is created before the push', async () => {
    const requests: string[] = [];
    const target = await resolvePushTarget(
      {
        kind: 'repository',
        repository: 'europe-west4-docker.pkg.dev/my-ml-project/iris-run/iris-run',
        source: 'target-default',
      },
      {
        googleTokens: async () => ({ getAccessToken: async () => 'adc-token' }),
        fetch: async (url, init) => {
          requests.push(
            `${init.method} ${url.replace('https://artifactregistry.googleapis.com/v1/', '')}`,
          );
          const created = init.method === 'POST';
          const status = requests.length === 1 ? 404 : 200;
          const body = created ? { name: 'operations/op', done: true } : {};
          return { ok: status === 200, status, text: async () => JSON.stringify(body) };
        },
      },
    );
    expect(target.credentials).toMatchObject({
      username: 'oauth2accesstoken',
      password: 'adc-token',
    });
    expect(requests).toEqual([
      'GET projects/my-ml-project/locations/europe-west4/repositories/iris-run',
      'POST projects/my-ml-project/locations/europe-west4/repositories?repositoryId=iris-run',
    ]);
    expect(target.notes).toEqual(['created the Artifact Registry repository iris-run']);
  });
});

describe('resolvePushTarget for ACR', () => {
  const SUBSCRIPTION = '11111111-2222-4333-8444-555555555555';
  const acrRegistry = {
    resourceGroup: 'iris-prod-rg',
    location: 'westeurope',
    name: 'irisprodacr',
    sku: 'Standard',
    tags: { deployment: 'iris-prod', 'managed-by': 'bentoctl' },
  };
  const destination = {
    kind: 'repository',
    repository: 'irisprodacr.azurecr.io/iris-prod',
    source: 'target-default',
    acrRegistry,
  } as const;

  /** ARM answers 404 until the registry is PUT; the ACR exchange answers a refresh token. */
  function fakeAzure() {
    const requests: string[] = [];
    let created = false;
    const fetch: FetchLike = async (url, init) => {
      const path = url.replace(/\?.*$/, '').replace(/^https:\/\/[^/]+/, '');
      requests.push(`${init.method} ${path.replace(`/subscriptions/${SUBSCRIPTION}`, '/sub')}`);
      if (url.endsWith('/oauth2/exchange')) {
        return { ok: true, status: 200, text: async () => '{"refresh_token":"acr-refresh"}' };
      }
      if (init.method === 'PUT' && url.includes('/registries/')) created = true;
      const exists = init.method === 'PUT' || (url.includes('/registries/') && created);
      return {
        ok: exists,
        status: exists ? 200 : 404,
        text: async () => JSON.stringify({ properties: { provisioningState: 'Succeeded' } }),
      };
    };
    const tokens: string[] = [];
    const azureTokens = async () => ({
      getToken: async (scope: string) => {
        tokens.push(scope);
        return { token: 'arm-token' };
      },
    });
    return { fetch, requests, tokens, azureTokens };
  }

  it("GIVEN the deployment's own ACR is missing THEN it is created before the token exchange", async () => {
    const azure = fakeAzure();
    const target = await resolvePushTarget(destination, {
      fetch: azure.fetch,
      azureTokens: azure.azureTokens,
      env: { ARM_SUBSCRIPTION_ID: SUBSCRIPTION },
    });
    const registry =
      '/sub/resourceGroups/iris-prod-rg/providers/Microsoft.ContainerRegistry/registries/irisprodacr';
    expect(azure.requests).toEqual([
      `GET ${registry}`,
      'GET /sub/resourcegroups/iris-prod-rg',
      'PUT /sub/resourcegroups/iris-prod-rg',
      `PUT ${registry}`,
      'POST /oauth2/exchange',
    ]);
    // One ARM token serves both the creation and the exchange.
    expect(azure.tokens).toEqual(['https://management.azure.com/.default']);
    expect(target).toMatchObject({
      family: 'acr',
      credentials: { serveraddress: 'irisprodacr.azurecr.io', password: 'acr-refresh' },
      notes: ['created the ACR registry irisprodacr'],
    });
  });

  it('GIVEN admin credentials THEN nothing is created and no Azure call is made', async () => {
    const azure = fakeAzure();
    const target = await resolvePushTarget(destination, {
      fetch: azure.fetch,
      azureTokens: azure.azureTokens,
      env: { BENTOCTL_ACR_USERNAME: 'irisprodacr', BENTOCTL_ACR_PASSWORD: 'pw' },
    });
    expect(azure.requests).toEqual([]);
    expect(azure.tokens).toEqual([]);
    expect(target.credentials).toEqual({
      serveraddress: 'irisprodacr.azurecr.io',
      username: 'irisprodacr',
      password: 'pw',
    });
    expect(target.notes).toEqual([]);
  });

  it('GIVEN another ACR repository THEN only the exchange runs', async () => {
    const azure = fakeAzure();
    await resolvePushTarget(
      { kind: 'repository', repository: 'shared.azurecr.io/models/iris', source: 'config' },
      { fetch: azure.fetch, azureTokens: azure.azureTokens, env: {} },
    );
    expect(azure.requests).toEqual(['POST /oauth2/exchange']);
  });

  it('GIVEN no subscription anywhere THEN a usage error before any Azure call', async () => {
    const azure = fakeAzure();
    await expect(
      resolvePushTarget(destination, {
        fetch: azure.fetch,
        azureTokens: azure.azureTokens,
        env: {},
      }),
    ).rejects.toMatchObject({
      code: 'AZURE_SUBSCRIPTION_UNSET',
      kind: 'usage',
      message: expect.stringContaining('spec.subscription_id'),
    });
    expect(azure.requests).toEqual([]);
    expect(azure.tokens).toEqual([]);
  });
});
