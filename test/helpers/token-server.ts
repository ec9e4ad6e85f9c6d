/**
 * A Docker token service for a registry with `auth: token` (distribution's token
 * authentication): it checks a username and password (basic auth on the token request) and
 * returns a JWT signed with a throw-away self-signed certificate, which the registry trusts
 * through `rootcertbundle`. It grants every action asked for, and records the scopes asked, so
 * tests see the bearer challenge flow a cloud registry (Docker Hub, Artifact Registry, ACR) runs.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface TokenServer {
  /** `http://127.0.0.1:<port>/token`, the realm of the registry's challenge. */
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** The certificate the registry verifies tokens with. */
  readonly certFile: string;
  /** The scopes of every token request, in order. */
  readonly scopes: string[][];
  /** A bearer authorization for `scopes`, for tests that talk to the registry themselves. */
  authorization(scopes: readonly string[]): string;
  stop(): Promise<void>;
}

export async function startTokenServer(
  dir: string,
  credentials: { readonly username: string; readonly password: string },
): Promise<TokenServer> {
  const keyFile = join(dir, 'token-key.pem');
  const certFile = join(dir, 'token-cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=bentoctl-test-token',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  const key = createPrivateKey(readFileSync(keyFile));
  const certificate = readFileSync(certFile, 'utf8')
    .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
    .replace(/\s+/g, '');
  const service = 'bentoctl-test-registry';
  const issuer = 'bentoctl-test-issuer';
  const scopes: string[][] = [];
  const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;

  const token = (asked: readonly string[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const access = asked.map((scope) => {
      const [type = '', ...rest] = scope.split(':');
      const actions = rest.pop() ?? '';
      return { type, name: rest.join(':'), actions: actions.split(',') };
    });
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const header = encode({ alg: 'RS256', typ: 'JWT', x5c: [certificate] });
    const claims = encode({
      iss: issuer,
      sub: credentials.username,
      aud: service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    });
    const signature = sign('sha256', Buffer.from(`${header}.${claims}`), key).toString('base64url');
    return `${header}.${claims}.${signature}`;
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/token' || request.headers.authorization !== expected) {
      response
        .writeHead(401, { 'content-type': 'application/json' })
        .end('{"details":"bad credentials"}');
      return;
    }
    const asked = url.searchParams
      .getAll('scope')
      .flatMap((scope) => scope.split(' '))
      .filter(Boolean);
    scopes.push(asked);
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token: token(asked) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certFile,
    scopes,
    authorization: (asked) => `Bearer ${token(asked)}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
