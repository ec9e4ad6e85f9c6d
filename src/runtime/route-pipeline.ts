/**
 * The request pipeline every route goes through, declared per route and run in one fixed order
 * (fastify's lifecycle): the bearer token, then readiness, then the body, then the handler. A
 * route says which guards it needs; it cannot run them in another order, and a handler that
 * declared readiness gets the loaded service, typed, instead of looking it up and casting.
 * (Method checks, the draining refusal and answer serialization are the server's: server.ts.)
 */
import type { IncomingMessage } from 'node:http';
import type { BentoManifest } from '../bento/manifest.js';
import type { Authenticator } from './auth.js';
import type { ClusterReadiness } from './cluster-link.js';
import { HttpError } from './http-errors.js';
import type { RuntimeMetrics } from './metrics.js';
import type { ServedRevision } from './served-revision.js';
import type { InferenceService } from './service.js';
import type { RuntimeSettings } from './settings.js';
import type { TaskStore } from './tasks/task-store.js';
import { DeviceUnavailableError } from './worker-pool.js';

/** Mutable state shared by the routes: the service once loaded, and the draining flag. */
export interface RuntimeState {
  service: InferenceService | undefined;
  loadError: Error | undefined;
  /** Set when an inference thread died: liveness fails so the orchestrator restarts us. */
  crashed: Error | undefined;
  draining: boolean;
  /** Aborted when draining starts: bodies still arriving get a short last chance. */
  readonly drainSignal: AbortSignal;
  /** With cluster workers: how many serve, as the primary reports (undefined otherwise). */
  cluster: ClusterReadiness | undefined;
}

export interface RouteContext {
  readonly manifest: BentoManifest;
  readonly settings: RuntimeSettings;
  readonly metrics: RuntimeMetrics;
  readonly auth: Authenticator | undefined;
  readonly state: RuntimeState;
  readonly tasks: TaskStore;
  readonly revision: ServedRevision;
}

export interface RouteResult {
  readonly status: number;
  readonly body: unknown;
  /** Set for text or binary bodies (metrics, binary tensors); JSON otherwise. */
  readonly contentType?: string;
  /** Extra response headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Filled by inference routes for the request log. */
  readonly rows?: number;
  readonly batchSizes?: readonly number[];
}

/** A matched route, its guards already wrapped around its handler (see defineRoute). */
export interface Route {
  /** Bounded label for metrics: the API name, `v2:<model>` or the endpoint. */
  readonly label: string;
  readonly methods: readonly string[];
  readonly handle: (request: IncomingMessage) => Promise<RouteResult>;
}

/** What a handler gets: the service when the route declared `ready`, the body when it declared one. */
export interface RouteInput<Ready extends boolean, Body> {
  readonly request: IncomingMessage;
  readonly service: Ready extends true ? InferenceService : InferenceService | undefined;
  readonly body: Body;
}

/** A route as declared in the table: its guards, and the handler that runs after them. */
export interface RouteDeclaration<Ready extends boolean = boolean, Body = undefined> {
  readonly label: string;
  readonly methods: readonly string[];
  /** First: in bearer mode, 401 without the token. */
  readonly auth: boolean;
  /** Second: 503 unless the models are loaded and the server is neither draining nor crashed. */
  readonly ready: Ready;
  /** Third, only after the guards (a client without the token never has its body read). */
  readonly body?: Ready extends true
    ? (request: IncomingMessage, service: InferenceService) => Promise<Body>
    : never;
  readonly handle: (input: RouteInput<Ready, Body>) => Promise<RouteResult> | RouteResult;
}

/** The route that runs `declaration`'s guards in the pipeline's order, then its handler. */
export function defineRoute<Ready extends boolean, Body = undefined>(
  context: RouteContext,
  declaration: RouteDeclaration<Ready, Body>,
): Route {
  return {
    label: declaration.label,
    methods: declaration.methods,
    handle: async (request) => {
      if (declaration.auth) context.auth?.(request.headers.authorization);
      const service = declaration.ready ? readyService(context) : context.state.service;
      // A body is declarable only on a `ready` route, so this is the service checked above.
      const body =
        declaration.body === undefined
          ? (undefined as Body)
          : await declaration.body(request, readyService(context));
      // Awaited: see readApiBody.
      return await declaration.handle({
        request,
        service: service as RouteInput<Ready, Body>['service'],
        body,
      });
    },
  };
}

/** The loaded service; 503 unless the models are loaded and the server is neither draining nor crashed. */
export function readyService(context: RouteContext): InferenceService {
  const { state } = context;
  if (state.draining) throw new HttpError('SHUTTING_DOWN', 'the server is shutting down', 1);
  if (state.crashed !== undefined)
    throw new HttpError('NOT_READY', `an inference thread crashed: ${state.crashed.message}`, 1);
  if (state.service === undefined) {
    if (state.loadError instanceof DeviceUnavailableError)
      throw new HttpError('DEVICE_UNAVAILABLE', state.loadError.message, 1);
    const why =
      state.loadError === undefined
        ? 'the models are still loading'
        : `the models failed to load: ${state.loadError.message}`;
    throw new HttpError('NOT_READY', why, 1);
  }
  return state.service;
}
