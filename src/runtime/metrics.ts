/**
 * Prometheus metrics of one server process (prom-client, own registry so several servers in
 * one process, as in tests, do not clash). Labels are bounded: `api` is a bento API name,
 * `v2:<model>`, a fixed endpoint name or `none`, never a raw URL.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface RuntimeMetrics {
  readonly registry: Registry;
  /** The /metrics text: this process's, or with cluster workers the sum over all of them. */
  render(): Promise<string>;
  /**
   * Counts one answered request (`bentoctl_http_requests_total`) and observes its duration
   * when given (malformed HTTP, answered before any route, has none).
   */
  countRequest(api: string, status: number, seconds?: number): void;
  /** Makes the in-flight gauge read `count` at each scrape (the HTTP server's own counter). */
  countInFlight(count: () => number): void;
  readonly queueDepth: Gauge<'api'>;
  readonly busyThreads: Gauge;
  readonly batchSize: Histogram<'api'>;
  readonly inferenceDuration: Histogram<'model'>;
  /** 1 per model, labelled with the execution provider its sessions run on (cpu or cuda). */
  readonly executionProvider: Gauge<'model' | 'provider'>;
  /** 1, labelled with where batches run: `inference threads` or `HTTP thread`. */
  readonly inferencePlacement: Gauge<'placement'>;
  /** Counts a request body parsed, by the thread that parsed it (`http` or `parse`). */
  countBodyParsed(thread: 'http' | 'parse'): void;
}

interface RequestLabels {
  readonly api: string;
  readonly status: string;
}

const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(
  queueDepths: () => ReadonlyMap<string, number>,
  busyThreads: () => number,
  /** Metrics of every cluster worker, when this process is one (undefined otherwise). */
  clusterText: () => Promise<string> | undefined = () => undefined,
): RuntimeMetrics {
  const registry = new Registry();
  // Unprefixed: dashboards and alerts for Node services expect process_cpu_seconds_total,
  // process_resident_memory_bytes, nodejs_eventloop_lag_seconds... under these names.
  collectDefaultMetrics({ register: registry });
  // Read at scrape time rather than counted up and down per request on the HTTP thread.
  let inFlight: () => number = () => 0;
  new Gauge({
    name: 'bentoctl_http_requests_in_flight',
    help: 'Requests received and not yet answered.',
    registers: [registry],
    collect() {
      this.set(inFlight());
    },
  });
  // Counters the HTTP thread bumps on every request add up in plain numbers here and reach
  // prom-client when it collects (at each scrape): a labelled inc() costs about 0.5 us of
  // label checking and hashing, a few percent of a small request's time on that thread.
  const pending = new Map<string, Map<number, { labels: RequestLabels; count: number }>>();
  new Counter({
    name: 'bentoctl_http_requests_total',
    help: 'HTTP requests answered, by API and status code.',
    labelNames: ['api', 'status'],
    registers: [registry],
    collect() {
      for (const statuses of pending.values()) {
        for (const entry of statuses.values()) {
          if (entry.count === 0) continue;
          this.inc(entry.labels, entry.count);
          entry.count = 0;
        }
      }
    },
  });
  const requestDuration = new Histogram({
    name: 'bentoctl_http_request_duration_seconds',
    help: 'Time from request to response, by API and status code.',
    labelNames: ['api', 'status'],
    buckets: LATENCY_BUCKETS_S,
    registers: [registry],
  });
  const parsed = { http: 0, parse: 0 };
  new Counter({
    name: 'bentoctl_request_bodies_parsed_total',
    help: 'JSON request bodies parsed, by thread: http (small bodies) or parse (large ones, off the HTTP thread).',
    labelNames: ['thread'],
    registers: [registry],
    collect() {
      for (const thread of ['http', 'parse'] as const) {
        if (parsed[thread] === 0) continue;
        this.inc({ thread }, parsed[thread]);
        parsed[thread] = 0;
      }
    },
  });
  const metrics: RuntimeMetrics = {
    registry,
    // A worker that cannot reach the primary (it is going away) still answers with its own.
    render: () => clusterText()?.catch(() => registry.metrics()) ?? registry.metrics(),
    countRequest: (api, status, seconds) => {
      let statuses = pending.get(api);
      if (statuses === undefined) {
        statuses = new Map();
        pending.set(api, statuses);
      }
      let entry = statuses.get(status);
      if (entry === undefined) {
        entry = { labels: { api, status: String(status) }, count: 0 };
        statuses.set(status, entry);
      }
      entry.count += 1;
      // The same labels object every time (never changed, so prom-client may keep it).
      if (seconds !== undefined) requestDuration.observe(entry.labels, seconds);
    },
    countInFlight: (count) => {
      inFlight = count;
    },
    queueDepth: new Gauge({
      name: 'bentoctl_queue_depth_rows',
      help: 'Rows waiting for a batch, by API.',
      labelNames: ['api'],
      registers: [registry],
      collect() {
        for (const [api, depth] of queueDepths()) this.set({ api }, depth);
      },
    }),
    busyThreads: new Gauge({
      name: 'bentoctl_inference_threads_busy',
      help: 'Inference threads running a batch now.',
      registers: [registry],
      collect() {
        this.set(busyThreads());
      },
    }),
    batchSize: new Histogram({
      name: 'bentoctl_batch_size_rows',
      help: 'Rows per inference call, by API.',
      labelNames: ['api'],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
      registers: [registry],
    }),
    inferenceDuration: new Histogram({
      name: 'bentoctl_inference_duration_seconds',
      help: 'Time inside onnxruntime per inference call, by model.',
      labelNames: ['model'],
      buckets: LATENCY_BUCKETS_S,
      registers: [registry],
    }),
    executionProvider: new Gauge({
      name: 'bentoctl_execution_provider',
      help: 'Always 1 per model; the provider label is the onnxruntime execution provider it runs on.',
      labelNames: ['model', 'provider'],
      // Summed over cluster workers it would say 2 with two workers: every worker says the same.
      aggregator: 'max',
      registers: [registry],
    }),
    inferencePlacement: new Gauge({
      name: 'bentoctl_inference_placement',
      help: 'Always 1; the placement label says where batches run: inference threads, or the HTTP thread (one core per process).',
      labelNames: ['placement'],
      aggregator: 'max',
      registers: [registry],
    }),
    countBodyParsed: (thread) => {
      parsed[thread] += 1;
    },
  };
  return metrics;
}
