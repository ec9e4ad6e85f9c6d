/**
 * One repository's registry HTTP API (OCI distribution spec), authenticated as the registry
 * asks: the first request learns the challenge from `GET /v2/`, then every request carries basic
 * credentials or a bearer token for exactly the scopes it needs (a cross-repository mount needs
 * pull on the source repository too). Tokens are cached per scope set and fetched again once
 * when one expires. Non-2xx answers are returned; `failure()` turns one into the error that
 * names the step, the registry, the status and what to do.
 */
import { errors } from '../../errors/index.js';
import type { BentoctlError } from '../../errors/bentoctl-error.js';
import type { RegistryFamily } from '../registry-auth/push-credentials.js';
import type { RegistryCredentials } from '../registry-auth/registry-credentials.js';
import {
  basicAuthorization,
  parseChallenge,
  tokenOf,
  tokenRequest,
  type Challenge,
} from './auth-challenge.js';
import { registryEndpoint, type RegistryEndpoint } from './registry-endpoint.js';
import { neededPermission, type RegistryRole } from './registry-permissions.js';

export type Fetch = typeof fetch;

export interface RegistryClientProps {
  readonly repository: string;
  readonly role: RegistryRole;
  readonly family: RegistryFamily;
  /** @default - anonymous */
  readonly credentials?: RegistryCredentials | undefined;
  /** Where the credentials came from, for error messages, e.g. `the Docker config`. */
  readonly credentialsSource: string;
  /** @default globalThis.fetch */
  readonly fetch?: Fetch;
}

export interface RegistryRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH';
  /** `/v2/...` or an absolute URL (an upload Location). */
  readonly path: string;
  /** Token scopes, e.g. `repository:team/iris:pull`. */
  readonly scopes: readonly string[];
  /** What bentoctl was doing, for errors: `Reading manifest sha256:... from <repo>`. */
  readonly step: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A stream cannot be sent twice: such a request is authorized before it is sent. */
  readonly body?: string | Uint8Array | ReadableStream<Uint8Array>;
}

const MAX_REDIRECTS = 5;
/** Bounds each request's wait for its response headers, not a blob's whole transfer. */
const HEADERS_TIMEOUT_MS = 60_000;

export class RegistryClient {
  readonly endpoint: RegistryEndpoint;
  readonly repository: string;
  private readonly props: RegistryClientProps;
  private readonly fetchImpl: Fetch;
  /** Undefined until learnt; null when the registry asks for nothing. */
  private challenge: Challenge | null | undefined;
  private readonly tokens = new Map<string, string>();

  constructor(props: RegistryClientProps) {
    this.props = props;
    this.repository = props.repository;
    this.endpoint = registryEndpoint(props.repository);
    this.fetchImpl = props.fetch ?? fetch;
  }

  /** `repository:<name>:pull` and friends for this repository. */
  scope(actions: 'pull' | 'pull,push'): string {
    return `repository:${this.endpoint.name}:${actions}`;
  }

  /** Sends the request authorized for its scopes; follows redirects (dropping credentials off-host). */
  async send(request: RegistryRequest): Promise<Response> {
    if (this.challenge === undefined) await this.learnChallenge(request.step);
    let authorization = await this.authorization(request.scopes, request.step, false);
    let response = await this.exchange(request, authorization);
    const replayable = !(request.body instanceof ReadableStream);
    if (response.status === 401 && replayable) {
      // A token expired mid-copy, or the registry wants another scheme than /v2/ said.
      const renewed = parseChallenge(response.headers.get('www-authenticate'));
      if (renewed !== undefined) this.challenge = renewed;
      await response.body?.cancel();
      authorization = await this.authorization(request.scopes, request.step, true);
      response = await this.exchange(request, authorization);
    }
    return response;
  }

  /** The error for a refused request: which step, which registry, the status, what to do. */
  async failure(request: RegistryRequest, response: Response): Promise<BentoctlError> {
    const body = request.method === 'HEAD' ? '' : (await response.text()).slice(0, 300).trim();
    const detail = `${request.method} ${this.url(request.path)} answered HTTP ${response.status}${body === '' ? '' : `: ${body}`}`;
    if (response.status === 401)
      return errors.registryAccessDenied(request.step, detail, this.loginHint());
    if (response.status === 403) {
      return errors.registryAccessDenied(
        request.step,
        detail,
        `The credentials for ${this.endpoint.host} (${this.props.credentialsSource}) need ${neededPermission(this.props.family, this.props.role)}.`,
      );
    }
    return errors.registryRequestFailed(request.step, detail);
  }

  private loginHint(): string {
    const { host } = this.endpoint;
    if (this.props.credentials === undefined) {
      return `bentoctl found no credentials for ${host} (${this.props.credentialsSource}): run \`docker login ${host}\` or set up the cloud credentials of that registry, then rerun.`;
    }
    return `${host} rejected the credentials from ${this.props.credentialsSource}: log in again (\`docker login ${host}\`, or refresh the cloud credentials), then rerun.`;
  }

  private url(path: string): string {
    return /^https?:\/\//.test(path) ? path : new URL(path, this.endpoint.baseUrl).toString();
  }

  /** `GET /v2/`: 200 means no authentication, 401 carries the challenge. */
  private async learnChallenge(step: string): Promise<void> {
    const request: RegistryRequest = { method: 'GET', path: '/v2/', scopes: [], step };
    const response = await this.exchange(request, undefined);
    await response.body?.cancel();
    if (response.ok) {
      this.challenge = null;
      return;
    }
    if (response.status !== 401) throw await this.failure(request, response);
    const challenge = parseChallenge(response.headers.get('www-authenticate'));
    if (challenge === undefined) {
      throw errors.registryRequestFailed(
        step,
        `${this.endpoint.host} asks for authentication bentoctl does not speak (WWW-Authenticate: ${response.headers.get('www-authenticate') ?? 'missing'})`,
        'Use a registry that follows the Docker token authentication spec (Basic or Bearer).',
      );
    }
    this.challenge = challenge;
  }

  private async authorization(
    scopes: readonly string[],
    step: string,
    renew: boolean,
  ): Promise<string | undefined> {
    const challenge = this.challenge;
    if (challenge === null || challenge === undefined) return undefined;
    if (challenge.scheme === 'basic') {
      const basic = basicAuthorization(this.props.credentials);
      if (basic === undefined) {
        throw errors.registryAccessDenied(
          step,
          `${this.endpoint.host} asks for a username and password and bentoctl has none for it`,
          this.loginHint(),
        );
      }
      return basic;
    }
    const key = [...scopes].sort().join(' ');
    const cached = this.tokens.get(key);
    if (cached !== undefined && !renew) return cached;
    const { url, init } = tokenRequest(challenge, scopes, this.props.credentials);
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        ...init,
        signal: AbortSignal.timeout(HEADERS_TIMEOUT_MS),
      });
    } catch (error) {
      throw errors.registryRequestFailed(
        step,
        `asking ${url} for a token failed: ${error instanceof Error ? error.message : String(error)}`,
        `Check network access to ${new URL(url).host}, then rerun.`,
      );
    }
    const text = await response.text();
    if (!response.ok) {
      const detail = `${init.method ?? 'GET'} ${url} (the token service of ${this.endpoint.host}) answered HTTP ${response.status}: ${text.slice(0, 300).trim()}`;
      throw response.status === 401 || response.status === 403
        ? errors.registryAccessDenied(step, detail, this.loginHint())
        : errors.registryRequestFailed(step, detail);
    }
    let token: string | undefined;
    try {
      token = tokenOf(JSON.parse(text));
    } catch {
      token = undefined;
    }
    if (token === undefined) {
      throw errors.registryRequestFailed(step, `the token service ${url} answered without a token`);
    }
    const bearer = `Bearer ${token}`;
    this.tokens.set(key, bearer);
    return bearer;
  }

  private async exchange(
    request: RegistryRequest,
    authorization: string | undefined,
  ): Promise<Response> {
    let url = this.url(request.path);
    const origin = new URL(url).origin;
    for (let hop = 0; ; hop++) {
      const sameOrigin = new URL(url).origin === origin;
      const headers: Record<string, string> = { ...request.headers };
      // A blob redirect (S3, GCS) is signed already; our credentials there would be refused.
      if (authorization !== undefined && sameOrigin) headers.authorization = authorization;
      let response: Response;
      // Until the headers come, not for the body after them; an upload's answer comes only
      // once its stream is sent, so an upload has no bound but its source's.
      const controller = new AbortController();
      const timer =
        request.body instanceof ReadableStream
          ? undefined
          : setTimeout(() => controller.abort(), HEADERS_TIMEOUT_MS);
      try {
        response = await this.fetchImpl(url, {
          method: request.method,
          headers,
          redirect: 'manual',
          ...(request.body === undefined ? {} : { body: request.body, duplex: 'half' as const }),
          signal: controller.signal,
        } as RequestInit);
      } catch (error) {
        if (controller.signal.aborted) {
          throw errors.registryRequestFailed(
            request.step,
            `${request.method} ${url} did not answer within ${HEADERS_TIMEOUT_MS} ms`,
            `Check network access to ${new URL(url).host}, then rerun.`,
          );
        }
        throw errors.registryRequestFailed(
          request.step,
          `${request.method} ${url} failed: ${error instanceof Error ? error.message : String(error)}`,
          `Check network access to ${new URL(url).host}, then rerun.`,
        );
      } finally {
        clearTimeout(timer);
      }
      const location = response.headers.get('location');
      const redirected = [301, 302, 303, 307, 308].includes(response.status);
      if (
        !redirected ||
        location === null ||
        !(request.method === 'GET' || request.method === 'HEAD')
      ) {
        return response;
      }
      if (hop >= MAX_REDIRECTS) {
        throw errors.registryRequestFailed(
          request.step,
          `${url} redirected more than ${MAX_REDIRECTS} times`,
        );
      }
      await response.body?.cancel();
      url = new URL(location, url).toString();
    }
  }
}
