/**
 * A `fetch` that answers registry requests from a list of routes (method + URL pattern), and
 * records each request with its headers, for what the real registries in
 * test/integration/promote-registries.test.ts cannot show: bearer challenges, token services,
 * redirects to storage, refusals and registries that misbehave.
 */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
}

export type Route = [method: string, url: RegExp, answer: (request: RecordedRequest) => Response];

export function scriptedRegistry(routes: readonly Route[]): {
  fetch: typeof fetch;
  requests: RecordedRequest[];
} {
  const requests: RecordedRequest[] = [];
  const fetchImpl = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const body =
      init.body === undefined || init.body === null
        ? undefined
        : init.body instanceof ReadableStream
          ? await new Response(init.body).text()
          : typeof init.body === 'string'
            ? init.body
            : Buffer.from(init.body as Uint8Array).toString('utf8');
    const request = { method: init.method ?? 'GET', url: String(input), headers, body };
    requests.push(request);
    const route = routes.find(
      ([method, url]) => method === request.method && url.test(request.url),
    );
    if (route === undefined)
      return new Response(`no route for ${request.method} ${request.url}`, { status: 599 });
    return route[2](request);
  }) as typeof fetch;
  return { fetch: fetchImpl, requests };
}

export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}
