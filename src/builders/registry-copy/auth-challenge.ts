/**
 * The registry's authentication challenge: a 401 carries `WWW-Authenticate: Basic realm=...`
 * (ECR) or `Bearer realm=...,service=...,scope=...` (Docker Hub, Artifact Registry, ACR,
 * distribution with token auth), and the client answers with basic credentials or with a token
 * from the realm (Docker token authentication spec, and its OAuth2 refresh-token form).
 */
import type { RegistryCredentials } from '../registry-auth/registry-credentials.js';

export type Challenge =
  | { readonly scheme: 'basic' }
  | {
      readonly scheme: 'bearer';
      readonly realm: string;
      readonly service?: string;
      readonly scope?: string;
    };

/** `key="quoted, value"` or `key=token` pairs after the scheme. */
const PARAM = /([a-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/gi;

/** The challenge of a WWW-Authenticate header; undefined when it names no scheme bentoctl speaks. */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (header === null) return undefined;
  const scheme = /^\s*(\w+)/.exec(header)?.[1]?.toLowerCase();
  if (scheme === 'basic') return { scheme: 'basic' };
  if (scheme !== 'bearer') return undefined;
  const params: Record<string, string> = {};
  for (const match of header.slice(header.search(/\s/) + 1).matchAll(PARAM)) {
    const key = match[1]?.toLowerCase() ?? '';
    params[key] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '');
  }
  if (params.realm === undefined || params.realm === '') return undefined;
  return {
    scheme: 'bearer',
    realm: params.realm,
    ...(params.service === undefined ? {} : { service: params.service }),
    ...(params.scope === undefined ? {} : { scope: params.scope }),
  };
}

/** `Basic base64(user:password)`, or undefined when the credentials hold no password. */
export function basicAuthorization(
  credentials: RegistryCredentials | undefined,
): string | undefined {
  if (credentials?.username === undefined || credentials.password === undefined) return undefined;
  const pair = `${credentials.username}:${credentials.password}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}

/** How to ask the realm for a token: the request, without sending it. */
export interface TokenRequest {
  readonly url: string;
  readonly init: RequestInit;
}

/**
 * The token request for `scopes`: a GET with basic credentials (or none: anonymous pull), or,
 * with an identity token (what `docker login` stores for OAuth registries), the OAuth2
 * refresh-token POST.
 */
export function tokenRequest(
  challenge: Extract<Challenge, { scheme: 'bearer' }>,
  scopes: readonly string[],
  credentials: RegistryCredentials | undefined,
): TokenRequest {
  if (credentials?.identitytoken !== undefined) {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: credentials.identitytoken,
      client_id: 'bentoctl',
      scope: scopes.join(' '),
      ...(challenge.service === undefined ? {} : { service: challenge.service }),
    });
    return {
      url: challenge.realm,
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      },
    };
  }
  const url = new URL(challenge.realm);
  if (challenge.service !== undefined) url.searchParams.set('service', challenge.service);
  for (const scope of scopes) url.searchParams.append('scope', scope);
  const authorization = basicAuthorization(credentials);
  return {
    url: url.toString(),
    init: { method: 'GET', headers: authorization === undefined ? {} : { authorization } },
  };
}

/** The token of a realm's answer: `token` (Docker) or `access_token` (OAuth2). */
export function tokenOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { token, access_token: accessToken } = body as { token?: unknown; access_token?: unknown };
  if (typeof token === 'string' && token !== '') return token;
  if (typeof accessToken === 'string' && accessToken !== '') return accessToken;
  return undefined;
}
