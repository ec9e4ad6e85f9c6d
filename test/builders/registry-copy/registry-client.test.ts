import { describe, expect, it } from 'vitest';
import { parseChallenge } from '../../../src/builders/registry-copy/auth-challenge.js';
import { RegistryClient } from '../../../src/builders/registry-copy/registry-client.js';
import { bentoctlFailure } from '../../helpers/bentoctl-failure.js';
import { json, scriptedRegistry } from './scripted-registry.js';

const CHALLENGE =
  'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:team/iris:pull"';

describe('parseChallenge', () => {
  it('GIVEN a bearer challenge THEN realm, service and scope are read, quoted commas included', () => {
    expect(parseChallenge(CHALLENGE)).toEqual({
      scheme: 'bearer',
      realm: 'https://auth.example.com/token',
      service: 'registry.example.com',
      scope: 'repository:team/iris:pull',
    });
    expect(
      parseChallenge('Bearer realm="https://a/token",scope="repository:x:pull,push"'),
    ).toMatchObject({
      scope: 'repository:x:pull,push',
    });
  });

  it('GIVEN basic, an unknown scheme or nothing THEN basic, undefined, undefined', () => {
    expect(
      parseChallenge(
        'Basic realm="https://123.dkr.ecr.us-east-1.amazonaws.com/",service="ecr.amazonaws.com"',
      ),
    ).toEqual({ scheme: 'basic' });
    expect(parseChallenge('Negotiate abc')).toBeUndefined();
    expect(parseChallenge('Bearer service="x"')).toBeUndefined();
    expect(parseChallenge(null)).toBeUndefined();
  });
});

describe('RegistryClient', () => {
  const credentials = {
    serveraddress: 'registry.example.com',
    username: 'user',
    password: 'secret',
  };

  it('GIVEN a bearer challenge WHEN a request is sent THEN a token for its scopes is fetched with the credentials and reused', async () => {
    const { fetch, requests } = scriptedRegistry([
      [
        'GET',
        /\/v2\/$/,
        () => new Response('', { status: 401, headers: { 'www-authenticate': CHALLENGE } }),
      ],
      ['GET', /auth\.example\.com\/token/, () => json(200, { token: 'tok-1' })],
      [
        'HEAD',
        /\/v2\/team\/iris\/blobs\//,
        (request) =>
          new Response(null, {
            status: request.headers.authorization === 'Bearer tok-1' ? 200 : 401,
          }),
      ],
    ]);
    const client = new RegistryClient({
      repository: 'registry.example.com/team/iris',
      role: 'source',
      family: 'docker-config',
      credentials,
      credentialsSource: 'the test',
      fetch,
    });
    const request = {
      method: 'HEAD' as const,
      path: '/v2/team/iris/blobs/sha256:1',
      scopes: [client.scope('pull')],
      step: 'step',
    };

    expect((await client.send(request)).status).toBe(200);
    expect((await client.send(request)).status).toBe(200);

    const tokenRequests = requests.filter((r) => r.url.startsWith('https://auth.example.com/'));
    expect(tokenRequests).toHaveLength(1);
    const tokenUrl = new URL(tokenRequests[0]?.url ?? '');
    expect(tokenUrl.searchParams.get('service')).toBe('registry.example.com');
    expect(tokenUrl.searchParams.getAll('scope')).toEqual(['repository:team/iris:pull']);
    expect(tokenRequests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('user:secret').toString('base64')}`,
    );
  });

  it('GIVEN an identity token (docker login to an OAuth registry) THEN the token comes from the OAuth2 refresh-token POST', async () => {
    const { fetch, requests } = scriptedRegistry([
      [
        'GET',
        /\/v2\/$/,
        () => new Response('', { status: 401, headers: { 'www-authenticate': CHALLENGE } }),
      ],
      ['POST', /auth\.example\.com\/token/, () => json(200, { access_token: 'tok-2' })],
      [
        'GET',
        /\/manifests\//,
        (request) =>
          new Response('{}', {
            status: request.headers.authorization === 'Bearer tok-2' ? 200 : 401,
          }),
      ],
    ]);
    const client = new RegistryClient({
      repository: 'registry.example.com/team/iris',
      role: 'source',
      family: 'docker-config',
      credentials: { serveraddress: 'registry.example.com', identitytoken: 'refresh-me' },
      credentialsSource: 'the test',
      fetch,
    });

    const response = await client.send({
      method: 'GET',
      path: '/v2/team/iris/manifests/latest',
      scopes: [client.scope('pull')],
      step: 'step',
    });

    expect(response.status).toBe(200);
    const form = new URLSearchParams(requests.find((r) => r.method === 'POST')?.body);
    expect(Object.fromEntries(form)).toMatchObject({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-me',
      service: 'registry.example.com',
      scope: 'repository:team/iris:pull',
    });
  });

  it('GIVEN a blob that redirects to storage on another host THEN the credentials are not sent there', async () => {
    const { fetch, requests } = scriptedRegistry([
      [
        'GET',
        /\/v2\/$/,
        () => new Response('', { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } }),
      ],
      [
        'GET',
        /\/blobs\//,
        () =>
          new Response(null, {
            status: 307,
            headers: { location: 'https://bucket.storage.example/blob?sig=1' },
          }),
      ],
      ['GET', /bucket\.storage\.example/, () => new Response('bytes', { status: 200 })],
    ]);
    const client = new RegistryClient({
      repository: 'registry.example.com/team/iris',
      role: 'source',
      family: 'docker-config',
      credentials,
      credentialsSource: 'the test',
      fetch,
    });

    const response = await client.send({
      method: 'GET',
      path: '/v2/team/iris/blobs/sha256:1',
      scopes: [],
      step: 'step',
    });

    expect(await response.text()).toBe('bytes');
    expect(requests.find((r) => r.url.includes('/blobs/'))?.headers.authorization).toMatch(
      /^Basic /,
    );
    expect(requests.find((r) => r.url.includes('bucket'))?.headers.authorization).toBeUndefined();
  });

  it('GIVEN a 403 on an ECR destination THEN the error names the step, the status and the ECR permissions to grant', async () => {
    const { fetch } = scriptedRegistry([
      [
        'GET',
        /\/v2\/$/,
        () => new Response('', { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } }),
      ],
      ['POST', /\/blobs\/uploads\//, () => json(403, { errors: [{ code: 'DENIED' }] })],
    ]);
    const client = new RegistryClient({
      repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/iris-prod',
      role: 'destination',
      family: 'ecr',
      credentials: { serveraddress: 'x', username: 'AWS', password: 'p' },
      credentialsSource: 'an ECR login',
      fetch,
    });
    const request = {
      method: 'POST' as const,
      path: '/v2/iris-prod/blobs/uploads/',
      scopes: [],
      step: 'Copying layer 1 of 2 sha256:1 to 123456789012.dkr.ecr.eu-west-1.amazonaws.com/iris-prod',
    };

    const error = await client.failure(request, await client.send(request));

    expect(error.code).toBe('REGISTRY_ACCESS_DENIED');
    expect(error.message).toContain(
      'Copying layer 1 of 2 sha256:1 to 123456789012.dkr.ecr.eu-west-1.amazonaws.com/iris-prod',
    );
    expect(error.message).toContain('answered HTTP 403');
    expect(error.hint).toContain('ecr:PutImage');
  });

  it('GIVEN a basic challenge and no credentials THEN it fails before sending, saying how to log in', async () => {
    const { fetch } = scriptedRegistry([
      [
        'GET',
        /\/v2\/$/,
        () => new Response('', { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } }),
      ],
    ]);
    const client = new RegistryClient({
      repository: 'registry.example.com/iris',
      role: 'source',
      family: 'docker-config',
      credentialsSource: 'the Docker config',
      fetch,
    });

    const error = await bentoctlFailure(
      client.send({
        method: 'GET',
        path: '/v2/iris/manifests/x',
        scopes: [],
        step: 'Reading manifest x',
      }),
    );

    expect(error.code).toBe('REGISTRY_ACCESS_DENIED');
    expect(error.hint).toContain('docker login registry.example.com');
  });
});
