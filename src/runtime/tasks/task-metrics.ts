/** Gauges of the async task store, so an operator sees how close it runs to its bounds. */
import { Gauge, type Registry } from 'prom-client';
import type { TaskStore } from './task-store.js';

export function registerTaskMetrics(registry: Registry, tasks: TaskStore): void {
  new Gauge({
    name: 'bentoctl_tasks',
    help: 'Async tasks held, by status (finished ones until their TTL); bounded by BENTOCTL_TASK_MAX_COUNT.',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      for (const [status, count] of Object.entries(tasks.usage().tasks))
        this.set({ status }, count);
    },
  });
  new Gauge({
    name: 'bentoctl_tasks_bytes',
    help: 'Bytes async tasks hold (inputs waiting, results kept); bounded by BENTOCTL_TASK_MAX_MB.',
    registers: [registry],
    collect() {
      this.set(tasks.usage().bytes);
    },
  });
}
