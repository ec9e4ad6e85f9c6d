import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
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
