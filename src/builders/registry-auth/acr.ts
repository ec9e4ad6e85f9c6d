/**
 * Azure Container Registry: admin credentials when given (BENTOCTL_ACR_USERNAME and
 * BENTOCTL_ACR_PASSWORD), else an Entra ID token from DefaultAzureCredential (env, managed
 * identity, `az login`) exchanged at `https://<registry>/oauth2/exchange` for an ACR refresh
 * token, which is what `az acr login` does. @azure/identity loads only here.
 */
import { errors } from '../../errors/index.js';
import type { RegistryCredentials } from './registry-credentials.js';

/** The part of @azure/identity's TokenCredential bentoctl uses; tests inject a fake. */
export interface AzureTokenSource {
  getToken(scope: string): Promise<{ readonly token: string } | null>;
}

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal },
) => Promise<{
  readonly ok: boolean;
  readonly status: number;
  text(): Promise<string>;
}>;

/** The ARM audience, accepted by the ACR exchange as `az acr login` sends it. */
export const AZURE_MANAGEMENT_SCOPE = 'https://management.azure.com/.default';
/** The username ACR expects with a refresh token. */
export const ACR_TOKEN_USERNAME = '00000000-0000-0000-0000-000000000000';
export const ACR_ADMIN_ENV = {
  username: 'BENTOCTL_ACR_USERNAME',
  password: 'BENTOCTL_ACR_PASSWORD',
} as const;
const EXCHANGE_TIMEOUT_MS = 30_000;
const AZURE_HINT =
  'Run `az login` (or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET) with the AcrPush role on the registry, or set BENTOCTL_ACR_USERNAME and BENTOCTL_ACR_PASSWORD to its admin credentials.';

export async function createAzureTokenSource(): Promise<AzureTokenSource> {
  const { DefaultAzureCredential } = await import('@azure/identity');
  return new DefaultAzureCredential();
}

export function isAzureRegistry(host: string): boolean {
  return (
    host.endsWith('.azurecr.io') || host.endsWith('.azurecr.cn') || host.endsWith('.azurecr.us')
  );
}

/** Admin credentials from the environment, when both variables are set. */
export function acrAdminCredentials(
  host: string,
  env: NodeJS.ProcessEnv = process.env,
): RegistryCredentials | undefined {
  const username = env[ACR_ADMIN_ENV.username];
  const password = env[ACR_ADMIN_ENV.password];
  if (!username || !password) return undefined;
  return { serveraddress: host, username, password };
}

export async function acrCredentials(
  host: string,
  options: {
    readonly source: AzureTokenSource;
    readonly fetch?: FetchLike;
    readonly env?: NodeJS.ProcessEnv;
    /** An ARM token already obtained (to create the registry); else one is asked for. */
    readonly aadToken?: string;
  },
): Promise<RegistryCredentials> {
  const admin = acrAdminCredentials(host, options.env);
  if (admin !== undefined) return admin;
  const aadToken = options.aadToken ?? (await azureManagementToken(host, options.source));
  const refreshToken = await exchangeForRefreshToken(
    host,
    aadToken,
    options.fetch ?? (fetch as FetchLike),
  );
  return { serveraddress: host, username: ACR_TOKEN_USERNAME, password: refreshToken };
}

/** An Entra ID token for Azure Resource Manager, which the ACR exchange also accepts. */
export async function azureManagementToken(
  host: string,
  source: AzureTokenSource,
): Promise<string> {
  let aadToken: string | undefined;
  try {
    aadToken = (await source.getToken(AZURE_MANAGEMENT_SCOPE))?.token;
  } catch (error) {
    throw errors.registryAuthFailed(
      host,
      `DefaultAzureCredential gave no token: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      AZURE_HINT,
    );
  }
  if (!aadToken)
    throw errors.registryAuthFailed(host, 'DefaultAzureCredential returned no token', AZURE_HINT);
  return aadToken;
}

async function exchangeForRefreshToken(
  host: string,
  aadToken: string,
  fetchImpl: FetchLike,
): Promise<string> {
  const url = `https://${host}/oauth2/exchange`;
  const body = new URLSearchParams({
    grant_type: 'access_token',
    service: host,
    access_token: aadToken,
  }).toString();
  let response: Awaited<ReturnType<FetchLike>>;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.timeout(EXCHANGE_TIMEOUT_MS),
    });
  } catch (error) {
    throw errors.registryAuthFailed(
      host,
      `POST ${url} failed: ${error instanceof Error ? error.message : String(error)}`,
      'Check the registry name and network access to it.',
    );
  }
  const text = await response.text();
  if (!response.ok) {
    throw errors.registryAuthFailed(
      host,
      `POST ${url} answered HTTP ${response.status}: ${text.slice(0, 300)}`,
      AZURE_HINT,
    );
  }
  let refreshToken: unknown;
  try {
    refreshToken = (JSON.parse(text) as { refresh_token?: unknown }).refresh_token;
  } catch {
    refreshToken = undefined;
  }
  if (typeof refreshToken !== 'string' || refreshToken === '') {
    throw errors.registryAuthFailed(host, `POST ${url} returned no refresh_token`, AZURE_HINT);
  }
  return refreshToken;
}
