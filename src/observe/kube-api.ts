/**
 * GET requests to a Kubernetes API server with a kubeconfig's TLS client credentials (Node's
 * https, which takes the cluster CA and client certificate directly). A 403 names the RBAC verb
 * and resource the request needed.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { errors } from '../errors/index.js';
import type { KubeAccess } from './aks-credentials.js';

export interface KubeRequest {
  readonly path: string;
  /** RBAC terms for a refusal: `list`, `pods`, and `pods/log` for logs. */
  readonly verb: string;
  readonly resource: string;
  readonly namespace: string;
}

const TIMEOUT_MS = 30_000;

/** The body as text; undefined for a 404. */
export async function kubeGet(
  access: KubeAccess,
  request: KubeRequest,
): Promise<string | undefined> {
  const url = new URL(`${access.server}${request.path}`);
  const api = `Kubernetes API GET ${url.pathname}`;
  const { status, body } = await new Promise<{ status: number; body: string }>(
    (resolve, reject) => {
      const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
      const outgoing = send(
        url,
        {
          method: 'GET',
          headers: {
            accept: 'application/json',
            ...(access.token === undefined ? {} : { authorization: `Bearer ${access.token}` }),
          },
          ...(access.ca === undefined ? {} : { ca: access.ca }),
          ...(access.cert === undefined ? {} : { cert: access.cert }),
          ...(access.key === undefined ? {} : { key: access.key }),
          timeout: TIMEOUT_MS,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          response.on('error', reject);
        },
      );
      outgoing.on('timeout', () =>
        outgoing.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)),
      );
      outgoing.on('error', reject);
      outgoing.end();
    },
  ).catch((error: unknown) => {
    throw errors.cloudRequestFailed(
      api,
      `${error instanceof Error ? error.message : String(error)}`,
      'The API server may allow only some addresses (spec.api_server_authorized_ip_ranges): check that this machine is among them.',
    );
  });
  if (status === 404) return undefined;
  const where = `${request.resource} in namespace ${request.namespace}`;
  const message = kubeMessage(body);
  if (status === 401) throw errors.cloudCredentialsMissing(api, `HTTP 401: ${message}`);
  if (status === 403) {
    throw errors.cloudAccessDenied(
      api,
      where,
      `the RBAC verb \`${request.verb}\` on ${where}`,
      `HTTP 403: ${message}`,
    );
  }
  if (status < 200 || status >= 300)
    throw errors.cloudRequestFailed(api, `HTTP ${status}: ${message}`);
  return body;
}

/** A Kubernetes `Status` object's message, else the start of the body. */
function kubeMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not a Status object.
  }
  return body.slice(0, 300);
}

export async function kubeGetJson<T>(
  access: KubeAccess,
  request: KubeRequest,
): Promise<T | undefined> {
  const body = await kubeGet(access, request);
  return body === undefined ? undefined : (JSON.parse(body) as T);
}
