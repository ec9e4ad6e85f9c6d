/**
 * What the cluster primary and its worker processes tell each other over IPC (node cluster):
 * readiness (a worker says when it serves; the primary says whether all of them do, so every
 * worker answers /readyz alike), metrics (a worker asked for /metrics gets the sum over all
 * workers, from prom-client's AggregatorRegistry in the primary) and rebalancing (when a
 * restarted worker is ready, the others close a share of their keep-alive connections, so that
 * clients reconnect and some land on it).
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

type LinkMessage =
  | { readonly type: 'bentoctl:ready' }
  | { readonly type: 'bentoctl:readiness'; readonly ready: number; readonly total: number }
  | { readonly type: 'bentoctl:shed'; readonly fraction: number }
  | { readonly type: 'bentoctl:metrics'; readonly id: number }
  | {
      readonly type: 'bentoctl:metrics-text';
      readonly id: number;
      readonly text?: string;
      readonly error?: string;
    };

const isLinkMessage = (message: unknown): message is LinkMessage =>
  typeof message === 'object' &&
  message !== null &&
  String((message as { type?: unknown }).type).startsWith('bentoctl:');

/** Readiness of the worker processes, as the primary last reported it. */
export interface ClusterReadiness {
  readonly ready: number;
  readonly total: number;
}

/**
 * Sends to a worker that may be going away: a channel can close between `isConnected()` and
 * `send()` (a worker exiting on SIGTERM), and Node throws ERR_IPC_CHANNEL_CLOSED then, which in
 * the primary's exit handler crashed it (exit 1 after a clean shutdown).
 */
function sendTo(worker: Worker, message: LinkMessage): void {
  if (!worker.isConnected()) return;
  try {
    worker.send(message, undefined, () => undefined);
  } catch {
    // The worker is gone; nothing it needed to hear.
  }
}

/** The primary's side: call once, before forking. */
export function superviseCluster(total: number): {
  /** A worker exited: it no longer counts as ready. */
  readonly forget: (worker: Worker) => void;
} {
  const aggregator = new AggregatorRegistry();
  const ready = new Set<number>();
  const broadcast = (message: LinkMessage): void => {
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker !== undefined) sendTo(worker, message);
    }
  };
  const announce = (): void => broadcast({ type: 'bentoctl:readiness', ready: ready.size, total });
  cluster.on('message', (worker, message: unknown) => {
    if (!isLinkMessage(message)) return;
    if (message.type === 'bentoctl:ready') {
      const restarted = ready.size > 0;
      ready.add(worker.id);
      announce();
      // A worker that joins running ones has no connections: clients on keep-alive stay where
      // they are, so the others let a fair share of theirs go (closed after their next answer).
      if (restarted) {
        for (const other of Object.values(cluster.workers ?? {})) {
          if (other !== undefined && other.id !== worker.id && other.isConnected())
            sendTo(other, { type: 'bentoctl:shed', fraction: 1 / total });
        }
      }
    } else if (message.type === 'bentoctl:metrics') {
      aggregator.clusterMetrics().then(
        (text) => sendTo(worker, { type: 'bentoctl:metrics-text', id: message.id, text }),
        (error: unknown) =>
          sendTo(worker, {
            type: 'bentoctl:metrics-text',
            id: message.id,
            error: error instanceof Error ? error.message : String(error),
          }),
      );
    }
  });
  return {
    forget: (worker) => {
      if (ready.delete(worker.id)) announce();
    },
  };
}

/** A worker process's side of the link. */
export interface WorkerLink {
  /** Tells the primary this worker now serves (it listens only once its models are loaded). */
  readonly announceReady: () => void;
  /** Metrics of every worker, summed by the primary. */
  readonly clusterMetrics: () => Promise<string>;
}

export function joinCluster(options: {
  readonly registry: Registry;
  readonly onReadiness: (readiness: ClusterReadiness) => void;
  readonly onShed: (fraction: number) => void;
}): WorkerLink {
  // Answers the primary's requests for this process's metrics (prom-client's own messages).
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([options.registry]);
  let nextId = 1;
  const waiting = new Map<
    number,
    { resolve: (text: string) => void; reject: (e: Error) => void }
  >();
  process.on('message', (message: unknown) => {
    if (!isLinkMessage(message)) return;
    if (message.type === 'bentoctl:readiness') options.onReadiness(message);
    else if (message.type === 'bentoctl:shed') options.onShed(message.fraction);
    else if (message.type === 'bentoctl:metrics-text') {
      const entry = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.text !== undefined) entry?.resolve(message.text);
      else entry?.reject(new Error(`cluster metrics: ${message.error ?? 'no answer'}`));
    }
  });
  return {
    announceReady: () => process.send?.({ type: 'bentoctl:ready' } satisfies LinkMessage),
    clusterMetrics: () =>
      new Promise<string>((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        process.send?.({ type: 'bentoctl:metrics', id } satisfies LinkMessage);
      }),
  };
}
