/**
 * Google Artifact Registry: user `oauth2accesstoken` with an access token from Application
 * Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, `gcloud auth application-default
 * login`, or the metadata server). google-auth-library loads only here.
 */
import { errors } from '../../errors/index.js';
import type { RegistryCredentials } from './registry-credentials.js';

/** The part of google-auth-library's GoogleAuth bentoctl uses; tests inject a fake. */
export interface GoogleTokenSource {
  getAccessToken(): Promise<string | null | undefined>;
}

export const GOOGLE_CLOUD_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const GOOGLE_HINT =
  'Run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a service account key with roles/artifactregistry.writer.';

export async function createGoogleTokenSource(): Promise<GoogleTokenSource> {
  const { GoogleAuth } = await import('google-auth-library');
  return new GoogleAuth({ scopes: [GOOGLE_CLOUD_SCOPE] });
}

/** True for `<region>-docker.pkg.dev` and the gcr.io hosts Artifact Registry also serves. */
export function isGoogleRegistry(host: string): boolean {
  return host.endsWith('-docker.pkg.dev') || host === 'gcr.io' || host.endsWith('.gcr.io');
}

export async function artifactRegistryCredentials(
  host: string,
  source: GoogleTokenSource,
): Promise<RegistryCredentials> {
  let token: string | null | undefined;
  try {
    token = await source.getAccessToken();
  } catch (error) {
    throw errors.registryAuthFailed(
      host,
      `Application Default Credentials gave no access token: ${error instanceof Error ? error.message : String(error)}`,
      GOOGLE_HINT,
    );
  }
  if (token === null || token === undefined || token === '') {
    throw errors.registryAuthFailed(
      host,
      'Application Default Credentials returned an empty access token',
      GOOGLE_HINT,
    );
  }
  return { serveraddress: `https://${host}`, username: 'oauth2accesstoken', password: token };
}
