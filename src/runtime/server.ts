/**
 * The HTTP server: one handler that gives every request an id, runs its route, answers JSON
 * errors in one shape, counts it in the metrics and logs one line for it. It also owns the
 * connections: which are idle, which hold a request, and how they end on shutdown.
 */
import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { ClientClosedError, DRAIN_LINGER_MS } from './read-body.js';
import { HttpError, errorBody, v2ErrorBody } from './http-errors.js';
import { createLogSampler, type Logger } from './logger.js';
import type { RouteContext, RouteResult } from './route-pipeline.js';
import { createRequestIds } from './request-id.js';
import { matchRoute } from './routes.js';
import { parseTraceparent } from './trace-context.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The status logged and counted for a client that went away before its answer (nginx's 499). */
export const CLIENT_CLOSED_STATUS = 499;

export interface HttpServer {
  readonly server: Server;
  /** Requests received and not yet answered. */
  inFlight(): number;
  /** Resolves once no request is in flight. */
  quiet(): Promise<void>;
  /**
   * Stops accepting connections (after `lingerMs`) without cutting open ones. Node's own `server.close()` also
   * destroys every connection it thinks idle, including those whose next request is already in
   * the socket buffer, unread: those requests would be lost (a reset, which clients do not
   * retry on a POST). Here, an idle connection keeps `lingerMs` to deliver a request already
   * sent (it is answered, with `Connection: close`), then is closed if still idle. Resolves
   * once every connection has closed (answers given while draining say `Connection: close`).
   */
  stopIntake(lingerMs: number): Promise<void>;
  /**
   * Lets `fraction` of the open connections go: each is closed after its next answer (which
   * says `Connection: close`), never while a request may be on its way.
   */
  shed(fraction: number): number;
}

interface Connection {
  /** Requests read on this connection and not yet answered (pipelining allows several). */
  active: number;
  /** Called once `active` falls to 0 (a deferred 400 after a pipelined parse error). */
  onIdle: (() => void) | undefined;
  /** Close after the next answer (rebalancing between worker processes). */
  shed: boolean;
}

export function createHttpServer(context: RouteContext, logger: Logger): HttpServer {
  let inFlight = 0;
  const waiters: (() => void)[] = [];
  const connections = new Map<Socket, Connection>();
  const sample = createLogSampler();
  // The same on every answer: flattened once for writeHead (see send).
  const revisionHeaders = Object.entries(context.revision.headers).flat();
  context.metrics.countInFlight(() => inFlight);
  const http = createServer(
    {
      keepAliveTimeout: 5_000,
      // The request's headers get the same time as its body; Node checks the deadline every
      // connectionsCheckingInterval (30 s by default, which would make 10 s up to 40 s).
      headersTimeout: context.settings.bodyTimeoutMs,
      connectionsCheckingInterval: Math.min(
        1_000,
        Math.max(50, context.settings.bodyTimeoutMs / 4),
      ),
      requestTimeout: 0,
    },
    (request, response) => {
      inFlight += 1;
      const connection = connections.get(request.socket);
      if (connection !== undefined) {
        connection.active += 1;
        if (connection.shed) response.setHeader('connection', 'close');
      }
      void handle(server, request, response, connection);
    },
  );
  /** After each answer (handle's finally): the in-flight count and the connection's. */
  const answered = (response: ServerResponse, connection: Connection | undefined): void => {
    inFlight -= 1;
    if (connection !== undefined) {
      connection.active -= 1;
      if (connection.active === 0 && connection.onIdle !== undefined) {
        const idle = connection.onIdle;
        connection.onIdle = undefined;
        // After the answer is on the wire: Node writes it on 'finish'.
        if (response.writableFinished) idle();
        else response.once('close', idle);
      }
    }
    if (inFlight === 0) for (const resolve of waiters.splice(0)) resolve();
  };
  const server: RequestServer = {
    context,
    logger,
    sample,
    revisionHeaders,
    requestId: createRequestIds(),
    answered,
  };
  let allClosed: (() => void) | undefined;
  http.on('connection', (socket: Socket) => {
    connections.set(socket, { active: 0, onIdle: undefined, shed: false });
    socket.once('close', () => {
      connections.delete(socket);
      allClosed?.();
    });
  });
  http.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // Malformed HTTP never reaches a route. Answers already owed on this connection (a valid
    // request pipelined before the garbage) go first; then the error, and the connection ends.
    if (error.code === 'ECONNRESET' || error.code === 'HPE_INVALID_EOF_STATE' || !socket.writable) {
      // The client left (reset, or closed mid-request): nothing to answer. Destroying the
      // socket aborts a request still reading its body, which then logs as 499.
      socket.destroy();
      return;
    }
    const status =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 408
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? 431
          : 400;
    const answer = (): void => {
      if (socket.writable) {
        socket.end(
          `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
        );
      } else socket.destroy();
    };
    const connection = connections.get(socket);
    if (connection !== undefined && connection.active > 0) connection.onIdle = answer;
    else answer();
    context.metrics.countRequest('none', status);
    const suppressed = sample(`client-error:${status}`);
    if (suppressed !== undefined && logger.enabled('info'))
      logger.log('info', 'malformed HTTP request', {
        status,
        error: error.message,
        ...(suppressed > 0 ? { suppressed } : {}),
      });
  });
  const closeIdle = (): void => {
    for (const [socket, connection] of connections) if (connection.active === 0) socket.destroy();
  };
  return {
    server: http,
    inFlight: () => inFlight,
    quiet: () =>
      inFlight === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve)),
    stopIntake: (lingerMs) =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (connections.size === 0 && !http.listening) resolve();
        };
        allClosed = check;
        // Keep accepting for the linger: connections the kernel has already accepted (the
        // listen backlog) would be reset when the listening socket closes, and their first
        // request lost. While draining, every request is answered (503 SHUTTING_DOWN for new
        // work) with `Connection: close`. An idle connection gets the same time to deliver a
        // request already sent: if its last answer went out before the drain was noticed, it
        // was a keep-alive answer, and the next request may follow.
        setTimeout(() => {
          // net.Server's close: stop listening, and leave the connections to us (see above).
          NetServer.prototype.close.call(http, check);
          // After the poll phase: a request already in a socket buffer is read (and so the
          // connection is busy, answered with Connection: close) before idle ones are closed.
          setImmediate(closeIdle);
        }, lingerMs).unref();
      }),
    shed: (fraction) => {
      const open = [...connections.values()].filter((connection) => !connection.shed);
      const count = Math.ceil(open.length * fraction);
      for (const connection of open.slice(0, count)) connection.shed = true;
      return count;
    },
  };
}

/** What handle() needs of its server: made once per server, not per request. */
interface RequestServer {
  readonly context: RouteContext;
  readonly logger: Logger;
  readonly sample: (key: string) => number | undefined;
  readonly revisionHeaders: readonly string[];
  readonly requestId: () => string;
  readonly answered: (response: ServerResponse, connection: Connection | undefined) => void;
}

/**
 * Answers one request. The server's bookkeeping after it runs in the finally, rather than in a
 * .finally() on the returned promise: one promise and closure less per request.
 */
async function handle(
  { context, logger, sample, revisionHeaders, requestId: newRequestId, answered }: RequestServer,
  request: IncomingMessage,
  response: ServerResponse,
  connection: Connection | undefined,
): Promise<void> {
  try {
    const started = performance.now();
    const incoming = request.headers['x-request-id'];
    const requestId =
      typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : newRequestId();
    // Names and values, handed to writeHead in one array (see send).
    const headers: string[] = ['x-request-id', requestId, ...revisionHeaders];
    const trace = parseTraceparent(request.headers.traceparent);
    const method = request.method ?? 'GET';
    const path = pathOf(request.url);
    const route = matchRoute(context, path);
    const label = route?.label ?? 'none';
    let result: RouteResult | undefined;
    let failure: HttpError | undefined;
    let clientClosed = false;
    try {
      if (route === undefined)
        throw new HttpError(
          'NOT_FOUND',
          `no route ${method} ${path.slice(0, 100)}; see /docs.json for the paths`,
        );
      if (!route.methods.includes(method)) {
        headers.push('allow', route.methods.join(', '));
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
      clientClosed = error instanceof ClientClosedError;
      failure =
        error instanceof HttpError
          ? error
          : new HttpError('INTERNAL', 'unexpected failure; see the server log');
      if (!(error instanceof HttpError) && !clientClosed) {
        logger.log('error', 'unhandled error in a route', {
          requestId,
          path,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        });
      }
    }
    // A body left unread makes the kernel reset the connection when it closes, and a reset can
    // destroy the answer before the client reads it: read a small one to its end first.
    if (
      failure !== undefined &&
      !clientClosed &&
      !request.complete &&
      failure.code !== 'BODY_TIMEOUT'
    )
      await discardBody(request);
    const status = clientClosed
      ? CLIENT_CLOSED_STATUS
      : (failure?.statusCode ?? result?.status ?? 500);
    if (clientClosed) {
      // Nobody is left to answer.
      response.destroy();
    } else if (failure !== undefined) {
      if (failure.retryAfterSeconds !== undefined)
        headers.push('retry-after', String(failure.retryAfterSeconds));
      // RFC 6750: a 401 names the scheme it wants.
      if (failure.code === 'UNAUTHORIZED')
        headers.push('www-authenticate', `Bearer realm="${context.manifest.service}"`);
      // A body we did not read (or stopped reading) would be parsed as the next request.
      if (!request.complete || context.state.draining) headers.push('connection', 'close');
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
        headers,
      );
    } else if (result !== undefined) {
      if (context.state.draining) headers.push('connection', 'close');
      if (result.headers !== undefined)
        for (const [name, value] of Object.entries(result.headers)) headers.push(name, value);
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
        headers,
      );
    }
    const seconds = (performance.now() - started) / 1000;
    context.metrics.countRequest(label, status, seconds);
    // Successful requests log at debug. Failures are sampled per status and code: bad traffic
    // must not turn into megabytes of log (a suppressed count says how many lines were skipped).
    // 4xx and 499 are the client's doing (info), 503 is load shedding (warn), other 5xx ours.
    const level =
      status < 400
        ? 'debug'
        : status < 500 || status === CLIENT_CLOSED_STATUS
          ? 'info'
          : status === 503
            ? 'warn'
            : 'error';
    if (logger.enabled(level)) {
      const suppressed = level === 'debug' ? 0 : sample(`${status}:${failure?.code ?? ''}`);
      if (suppressed === undefined) return;
      logger.log(level, 'request', {
        requestId,
        ...(trace === undefined
          ? {}
          : { traceId: trace.traceId, parentSpanId: trace.parentSpanId }),
        method,
        path: path.slice(0, 200),
        api: label,
        status,
        ...(clientClosed
          ? { error: 'the client closed the connection before the answer' }
          : failure === undefined
            ? {}
            : { code: failure.code, error: failure.message }),
        ...(result?.rows === undefined ? {} : { rows: result.rows, batchSizes: result.batchSizes }),
        latencyMs: Math.round(seconds * 1e6) / 1000,
        ...(suppressed > 0 ? { suppressed } : {}),
      });
    }
  } finally {
    answered(response, connection);
  }
}

/** Bodies up to this size are read and dropped before an error answer (see handle). */
const DISCARD_BODY_BYTES = 64 * 1024;

function discardBody(request: IncomingMessage): Promise<void> {
  const declared = Number(request.headers['content-length']);
  if (!(declared <= DISCARD_BODY_BYTES)) return Promise.resolve();
  return new Promise((resolve) => {
    let bytes = 0;
    const done = (): void => {
      clearTimeout(timer);
      request.off('data', onData);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > DISCARD_BODY_BYTES) done();
    };
    const timer = setTimeout(done, DRAIN_LINGER_MS);
    request.on('data', onData);
    request.once('end', done);
    request.once('error', done);
    request.resume();
  });
}

/**
 * Writes the answer with every header in one writeHead array: Node stores and checks those in
 * one pass, where each setHeader() before it costs a check and a map entry of its own (a few
 * percent of a small request's time on the HTTP thread, measured in docs/benchmarks.md).
 * Headers set with setHeader() still go out (shed connections): Node merges them.
 */
function send(
  response: ServerResponse,
  status: number,
  text: string | Buffer,
  contentType: string,
  method: string,
  headers: string[],
): void {
  if (response.headersSent || response.destroyed) return;
  headers.push('content-type', contentType, 'content-length', String(Buffer.byteLength(text)));
  response.writeHead(status, headers);
  response.end(method === 'HEAD' ? undefined : text);
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const query = raw.indexOf('?');
  return query === -1 ? raw : raw.slice(0, query);
}
