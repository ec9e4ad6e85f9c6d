/**
 * The HTTP server: one handler that gives every request an id, runs its route, answers JSON
 * errors in one shape, counts it in the metrics and logs one line for it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { HttpError, errorBody, v2ErrorBody } from './http-errors.js';
import type { Logger } from './logger.js';
import { matchRoute, type RouteContext, type RouteResult } from './routes.js';
import { parseTraceparent } from './trace-context.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface HttpServer {
  readonly server: Server;
  /** Requests received and not yet answered. */
  inFlight(): number;
  /** Resolves once no request is in flight. */
  quiet(): Promise<void>;
}

export function createHttpServer(context: RouteContext, logger: Logger): HttpServer {
  let inFlight = 0;
  const waiters: (() => void)[] = [];
  const server = createServer(
    { keepAliveTimeout: 5_000, headersTimeout: 10_000, requestTimeout: 0 },
    (request, response) => {
      inFlight += 1;
      context.metrics.inFlight.inc();
      void handle(context, logger, request, response).finally(() => {
        inFlight -= 1;
        context.metrics.inFlight.dec();
        if (inFlight === 0) for (const resolve of waiters.splice(0)) resolve();
      });
    },
  );
  server.on('clientError', (error, socket) => {
    // Malformed HTTP never reaches a route; answer it plainly and drop the connection.
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    logger.log('debug', 'malformed HTTP request', { error: error.message });
  });
  return {
    server,
    inFlight: () => inFlight,
    quiet: () =>
      inFlight === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve)),
  };
}

async function handle(
  context: RouteContext,
  logger: Logger,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const started = performance.now();
  const incoming = request.headers['x-request-id'];
  const requestId =
    typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  response.setHeader('x-request-id', requestId);
  for (const [name, value] of Object.entries(context.revision.headers))
    response.setHeader(name, value);
  const trace = parseTraceparent(request.headers.traceparent);
  const method = request.method ?? 'GET';
  const path = pathOf(request.url);
  const route = matchRoute(context, path);
  const label = route?.label ?? 'none';
  let result: RouteResult | undefined;
  let failure: HttpError | undefined;
  try {
    if (route === undefined)
      throw new HttpError(
        'NOT_FOUND',
        `no route ${method} ${path.slice(0, 100)}; see /docs.json for the paths`,
      );
    if (!route.methods.includes(method)) {
      response.setHeader('allow', route.methods.join(', '));
      throw new HttpError(
        'METHOD_NOT_ALLOWED',
        `${path} answers ${route.methods.join(', ')}, not ${method.slice(0, 20)}`,
      );
    }
    // While draining, only probes and metrics answer; new work goes to another instance.
    if (context.state.draining && method === 'POST')
      throw new HttpError('SHUTTING_DOWN', 'the server is shutting down', 1);
    result = await route.handle(request);
  } catch (error) {
    failure =
      error instanceof HttpError
        ? error
        : new HttpError('INTERNAL', 'unexpected failure; see the server log');
    if (!(error instanceof HttpError)) {
      logger.log('error', 'unhandled error in a route', {
        requestId,
        path,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
  }
  const status = failure?.statusCode ?? result?.status ?? 500;
  if (failure !== undefined) {
    if (failure.retryAfterSeconds !== undefined)
      response.setHeader('retry-after', String(failure.retryAfterSeconds));
    // RFC 6750: a 401 names the scheme it wants.
    if (failure.code === 'UNAUTHORIZED')
      response.setHeader('www-authenticate', `Bearer realm="${context.manifest.service}"`);
    // A body we did not read (or stopped reading) would be parsed as the next request.
    if (!request.complete || context.state.draining) response.setHeader('connection', 'close');
    send(
      response,
      status,
      // The Open Inference Protocol defines its own error body; its clients read `error`.
      JSON.stringify(
        path === '/v2' || path.startsWith('/v2/')
          ? v2ErrorBody(failure)
          : errorBody(failure, requestId),
      ),
      'application/json; charset=utf-8',
      method,
    );
  } else if (result !== undefined) {
    if (context.state.draining) response.setHeader('connection', 'close');
    for (const [name, value] of Object.entries(result.headers ?? {}))
      response.setHeader(name, value);
    const payload =
      result.contentType === undefined
        ? JSON.stringify(result.body)
        : Buffer.isBuffer(result.body)
          ? result.body
          : String(result.body);
    send(
      response,
      status,
      payload,
      result.contentType ?? 'application/json; charset=utf-8',
      method,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  const labels = { api: label, status: String(status) };
  context.metrics.requests.inc(labels);
  context.metrics.requestDuration.observe(labels, seconds);
  // 503s are load shedding, expected under overload: warn, not error, so they cannot flood.
  const level = status >= 500 && status !== 503 ? 'error' : status >= 400 ? 'warn' : 'debug';
  if (logger.enabled(level)) {
    logger.log(level, 'request', {
      requestId,
      ...(trace === undefined ? {} : { traceId: trace.traceId, parentSpanId: trace.parentSpanId }),
      method,
      path: path.slice(0, 200),
      api: label,
      status,
      ...(failure === undefined ? {} : { code: failure.code, error: failure.message }),
      ...(result?.rows === undefined ? {} : { rows: result.rows, batchSizes: result.batchSizes }),
      latencyMs: Math.round(seconds * 1e6) / 1000,
    });
  }
}

function send(
  response: ServerResponse,
  status: number,
  text: string | Buffer,
  contentType: string,
  method: string,
): void {
  if (response.headersSent || response.destroyed) return;
  const bytes = Buffer.byteLength(text);
  response.writeHead(status, { 'content-type': contentType, 'content-length': bytes });
  response.end(method === 'HEAD' ? undefined : text);
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const query = raw.indexOf('?');
  return query === -1 ? raw : raw.slice(0, query);
}
