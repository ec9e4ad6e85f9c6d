/**
 * One server process: reads the bento, starts listening at once (so liveness answers while
 * the models load), loads and warms the models on the inference threads, opens the gRPC port
 * (when on), then reports ready.
 * shutdown() is the SIGTERM path: refuse new work, finish what is queued, close, within the
 * grace period.
 */
import type { AddressInfo } from 'node:net';
import { loadBentoManifest, type BentoManifest } from '../bento/manifest.js';
import { bearerAuthenticator } from './auth.js';
import { joinCluster, type WorkerLink } from './cluster-link.js';
import { createLogger, type Logger } from './logger.js';
import { HttpError } from './http-errors.js';
import { createMetrics } from './metrics.js';
import type { RuntimeState } from './route-pipeline.js';
import { registerBuildInfo, servedRevision } from './served-revision.js';
import type { GrpcServer } from './grpc/grpc-server.js';
import { DRAIN_LINGER_MS } from './read-body.js';
import { createHttpServer } from './server.js';
import { InferenceService } from './service.js';
import type { RuntimeSettings } from './settings.js';
import { registerTaskMetrics } from './tasks/task-metrics.js';
import { TaskStore } from './tasks/task-store.js';
import { DeviceUnavailableError } from './worker-pool.js';

export interface StartOptions {
  readonly settings: RuntimeSettings;
  /** The inference thread script: `inference-worker.js` beside this module unless given. */
  readonly workerScript?: string | URL;
  /** Where log lines go; stdout unless given. */
  readonly write?: (line: string) => void;
  /**
   * This process is one of several cluster workers: it listens only once its models are
   * loaded (no traffic reaches it before), reports readiness to the primary and serves the
   * metrics of all workers.
   * @default false
   */
  readonly clusterWorker?: boolean;
}

export interface RuntimeHandle {
  readonly url: string;
  readonly port: number;
  /** The gRPC port, when `settings.grpc` is on, once the models are loaded. */
  readonly grpcPort: number | undefined;
  readonly manifest: BentoManifest;
  readonly logger: Logger;
  /**
   * Resolves when the models are loaded and warmed up and the gRPC service (when on) takes
   * calls; rejects if they fail to load or the gRPC port cannot be opened.
   */
  readonly ready: Promise<void>;
  /** Stops intake, drains queued work and closes; `clean` is false if the grace period ran out. */
  shutdown(): Promise<{ readonly clean: boolean }>;
}

export async function startRuntime(options: StartOptions): Promise<RuntimeHandle> {
  const { settings } = options;
  const logger = createLogger(settings.logLevel, options.write);
  const manifest = loadBentoManifest(settings.bentoDir);
  const drainStarted = new AbortController();
  const state: RuntimeState = {
    service: undefined,
    loadError: undefined,
    crashed: undefined,
    draining: false,
    drainSignal: drainStarted.signal,
    cluster: options.clusterWorker === true ? { ready: 0, total: settings.workers } : undefined,
  };
  let link: WorkerLink | undefined;
  const metrics = createMetrics(
    () => state.service?.queueDepths() ?? new Map(),
    () => state.service?.busyThreads() ?? 0,
    () => link?.clusterMetrics(),
  );
  const revision = servedRevision(manifest, settings);
  registerBuildInfo(metrics.registry, revision);
  const auth =
    settings.authMode === 'bearer' && settings.authToken !== undefined
      ? bearerAuthenticator(settings.authToken)
      : undefined;
  const tasks = new TaskStore(
    {
      maxTasks: settings.taskMaxCount,
      maxBytes: Math.floor(settings.taskMaxMb * 1024 * 1024),
      ttlMs: settings.taskTtlS * 1000,
    },
    {
      onFinish: (task) => {
        const level = task.status === 'failure' ? 'warn' : 'debug';
        if (logger.enabled(level)) logger.log(level, 'task', { ...task });
      },
    },
  );
  registerTaskMetrics(metrics.registry, tasks);
  const context = { manifest, settings, metrics, auth, state, tasks, revision };
  const http = createHttpServer(context, logger);
  if (options.clusterWorker === true) {
    link = joinCluster({
      registry: metrics.registry,
      onReadiness: (readiness) => (state.cluster = readiness),
      onShed: (fraction) => {
        const connections = http.shed(fraction);
        if (connections > 0)
          logger.log('info', 'a worker process joined: letting connections go to rebalance', {
            connections,
          });
      },
    });
  }
  let grpc: GrpcServer | undefined;
  const listen = async (): Promise<{ port: number; url: string }> => {
    await new Promise<void>((resolve, reject) => {
      http.server.once('error', reject);
      http.server.listen(settings.port, settings.host, () => {
        http.server.off('error', reject);
        resolve();
      });
    });
    const port = (http.server.address() as AddressInfo).port;
    const host =
      settings.host === '0.0.0.0' || settings.host === '::' ? '127.0.0.1' : settings.host;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    logger.log('info', 'listening', {
      url,
      service: manifest.service,
      version: manifest.version,
      imageDigest: revision.imageDigest,
    });
    return { port, url };
  };
  /**
   * The gRPC service opens once the models are loaded: a load balancer's
   * gRPC health check reads only the status code, and ServerReady answers OK even while not
   * ready, so an open port must mean a loaded server.
   */
  const startGrpc = async (): Promise<void> => {
    if (!settings.grpc || state.draining) return;
    // Loaded only when enabled: grpc-js and protobufjs take ~0.2 s to load from dist (serve).
    const { startGrpcServer } = await import('./grpc/grpc-server.js');
    let server: GrpcServer;
    try {
      server = await startGrpcServer(context, logger, {
        host: settings.host,
        port: settings.grpcPort,
      });
    } catch (error) {
      logger.log('error', 'the gRPC port could not be opened', {
        grpcPort: settings.grpcPort,
        error: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
    // SIGTERM came while it was binding: no call can have started yet.
    if (state.draining) {
      server.forceShutdown();
      return;
    }
    grpc = server;
    logger.log('info', 'gRPC listening', { grpcPort: server.port });
  };
  // One process listens at once, so liveness answers while the models load; a cluster worker
  // only once they are loaded, since the primary's socket would hand it requests meanwhile.
  const listening = options.clusterWorker === true ? undefined : await listen();

  const started = performance.now();
  const loaded = InferenceService.start({
    manifest,
    settings,
    workerScript: options.workerScript ?? new URL('./inference-worker.js', import.meta.url),
    logger,
    metrics,
  }).then(
    (service) => {
      state.service = service;
      service.onCrash((error) => {
        state.crashed ??= error;
        logger.log(
          'error',
          'an inference thread died; /livez now fails so the instance is restarted',
          { error: error.message },
        );
      });
      for (const model of service.models.values())
        metrics.executionProvider.set({ model: model.name, provider: model.provider }, 1);
      metrics.inferencePlacement.set({ placement: service.placement }, 1);
      logger.log('info', 'ready', {
        loadMs: Math.round(performance.now() - started),
        threads: service.threads,
        placement: service.placement,
        intraOpThreads: settings.intraOpThreads,
        models: [...service.models.values()].map((model) => ({
          name: model.name,
          provider: model.provider,
        })),
      });
    },
    (error: unknown) => {
      state.loadError = error instanceof Error ? error : new Error(String(error));
      logger.log('error', 'the models failed to load', {
        ...(state.loadError instanceof DeviceUnavailableError
          ? { code: 'DEVICE_UNAVAILABLE' }
          : {}),
        error: state.loadError.message,
      });
      throw state.loadError;
    },
  );
  // Ready once the gRPC service (when on) takes calls too; a port it cannot open fails readiness.
  const ready = loaded.then(startGrpc);
  // The caller may never await `ready` (serve logs instead); do not crash on an unhandled rejection.
  ready.catch(() => undefined);

  let shuttingDown: Promise<{ clean: boolean }> | undefined;
  const shutdown = (): Promise<{ clean: boolean }> => {
    shuttingDown ??= (async () => {
      state.draining = true;
      drainStarted.abort();
      const queuedRows = [...(state.service?.queueDepths().values() ?? [])].reduce(
        (a, b) => a + b,
        0,
      );
      logger.log('info', 'draining', {
        inFlight: http.inFlight(),
        queuedRows,
        tasksInProgress: tasks.inProgress,
      });
      const intakeStopped = http.stopIntake(DRAIN_LINGER_MS);
      const grpcStopped = grpc?.shutdown();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), settings.shutdownGraceMs);
      });
      // Models still loading finish first: the threads cannot be stopped inside onnxruntime.
      const serviceLoaded = loaded.then(
        () => state.service,
        () => undefined,
      );
      const drained = (async () => {
        // Accepted tasks run to the end: their clients are not connected to retry them.
        await tasks.drain();
        await (await serviceLoaded)?.drain();
        // Idle connections had their chance to deliver a request already sent (answered, and
        // every answer given while draining carries `Connection: close`); then the last
        // answers go out.
        await intakeStopped;
        await http.quiet();
        await grpcStopped;
        return 'drained' as const;
      })();
      const outcome = await Promise.race([drained, grace]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        logger.log(
          'error',
          'grace period over: refusing queued requests, waiting for running batches',
          {
            graceMs: settings.shutdownGraceMs,
          },
        );
        tasks.abandon(
          () => new HttpError('SHUTTING_DOWN', 'the server stopped before this task ran', 1),
        );
        const abandoned = await serviceLoaded;
        await abandoned?.abandon();
        await http.quiet();
        grpc?.forceShutdown();
      }
      http.server.closeAllConnections();
      tasks.close();
      // Also clears Node's connection-checking interval; the listening socket is already closed.
      http.server.close(() => undefined);
      // Terminating a thread while onnxruntime runs on it aborts the process, hence after idle.
      await (await serviceLoaded)?.close();
      logger.log(outcome === 'drained' ? 'info' : 'error', 'stopped', {
        clean: outcome === 'drained',
      });
      return { clean: outcome === 'drained' };
    })();
    return shuttingDown;
  };
  let address = listening;
  if (address === undefined) {
    await ready;
    address = await listen();
  }
  const { url, port } = address;
  link?.announceReady();
  return {
    url,
    port,
    // Known once the models are loaded (startGrpc).
    get grpcPort() {
      return grpc?.port;
    },
    manifest,
    logger,
    ready,
    shutdown,
  };
}
