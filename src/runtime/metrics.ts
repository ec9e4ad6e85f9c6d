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
  readonly requests: Counter<'api' | 'status'>;
  readonly requestDuration: Histogram<'api' | 'status'>;
  readonly inFlight: Gauge;
  readonly queueDepth: Gauge<'api'>;
  readonly busyThreads: Gauge;
  readonly batchSize: Histogram<'api'>;
  readonly inferenceDuration: Histogram<'model'>;
  /** 1 per model, labelled with the execution provider its sessions run on (cpu or cuda). */
  readonly executionProvider: Gauge<'model' | 'provider'>;
  /** Request bodies parsed, by the thread that parsed them (`http` or `parse`). */
  readonly bodiesParsed: Counter<'thread'>;
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
  const metrics: RuntimeMetrics = {
    registry,
    // A worker that cannot reach the primary (it is going away) still answers with its own.
    render: () => clusterText()?.catch(() => registry.metrics()) ?? registry.metrics(),
    requests: new Counter({
      name: 'bentoctl_http_requests_total',
      help: 'HTTP requests answered, by API and status code.',
      labelNames: ['api', 'status'],
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'bentoctl_http_request_duration_seconds',
      help: 'Time from request to response, by API and status code.',
      labelNames: ['api', 'status'],
      buckets: LATENCY_BUCKETS_S,
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'bentoctl_http_requests_in_flight',
      help: 'Requests received and not yet answered.',
      registers: [registry],
    }),
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
      registers: [registry],
    }),
    bodiesParsed: new Counter({
      name: 'bentoctl_request_bodies_parsed_total',
      help: 'JSON request bodies parsed, by thread: http (small bodies) or parse (large ones, off the HTTP thread).',
      labelNames: ['thread'],
      registers: [registry],
    }),
  };
  return metrics;
}
