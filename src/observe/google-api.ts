/**
 * Google REST calls of `logs` and `status`: an access token from Application Default
 * Credentials (as for Artifact Registry, src/builders/registry-auth/artifact-registry.ts), JSON
 * over fetch, and Google's error body (`{error: {code, status, message}}`) turned into a
 * bentoctl error naming the role the call needs.
 */
import {
  createGoogleTokenSource,
  type GoogleTokenSource,
} from '../builders/registry-auth/artifact-registry.js';
import type { FetchLike } from '../builders/registry-auth/acr.js';
import { errors } from '../errors/index.js';

export interface GoogleApiDependencies {
  readonly tokens?: () => Promise<GoogleTokenSource>;
  readonly fetch?: FetchLike;
}

export interface GoogleCall {
  /** `Cloud Logging entries.list` */
  readonly api: string;
  readonly resource: string;
  /** The role that grants it, e.g. `roles/logging.viewer`. */
  readonly role: string;
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly body?: object;
}

const REQUEST_TIMEOUT_MS = 30_000;
const GOOGLE_HINT =
  'Run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a service account key.';

/** A caller that reuses one access token for all its requests. */
export function googleApi(dependencies: GoogleApiDependencies) {
  let token: Promise<string> | undefined;
  const accessToken = async (api: string): Promise<string> => {
    const source = await (dependencies.tokens ?? createGoogleTokenSource)();
    let value: string | null | undefined;
    try {
      value = await source.getAccessToken();
    } catch (error) {
      throw errors.cloudCredentialsMissing(
        api,
        `Application Default Credentials gave no access token: ${(error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)).replace(/\.$/, '')}`,
        GOOGLE_HINT,
      );
    }
    if (!value) {
      throw errors.cloudCredentialsMissing(
        api,
        'Application Default Credentials returned no access token',
        GOOGLE_HINT,
      );
    }
    return value;
  };
  return async function call<T>(request: GoogleCall): Promise<T | undefined> {
    token ??= accessToken(request.api);
    const bearer = await token;
    const fetchImpl = dependencies.fetch ?? (fetch as FetchLike);
    let reply: Awaited<ReturnType<FetchLike>>;
    try {
      reply = await fetchImpl(request.url, {
        method: request.method,
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw errors.cloudRequestFailed(
        request.api,
        `${request.method} ${request.url}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const text = await reply.text();
    if (reply.status === 404) return undefined;
    if (!reply.ok) {
      const detail = `HTTP ${reply.status}: ${googleMessage(text)}`;
      if (reply.status === 401)
        throw errors.cloudCredentialsMissing(request.api, detail, GOOGLE_HINT);
      if (reply.status === 403)
        throw errors.cloudAccessDenied(
          request.api,
          request.resource,
          `${request.role} on ${request.resource}`,
          detail,
        );
      throw errors.cloudRequestFailed(`${request.api} on ${request.resource}`, detail);
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw errors.cloudRequestFailed(request.api, `the answer is not JSON: ${text.slice(0, 200)}`);
    }
  };
}

function googleMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { status?: string; message?: string } };
    if (body.error?.message !== undefined)
      return `${body.error.status ?? ''} ${body.error.message}`.trim();
  } catch {
    // Not Google's JSON error: show the start of the text.
  }
  return text.slice(0, 300);
}
