/* global performance, setTimeout */
/**
 * An open-loop load generator (wrk2's method; wrk2 is not packaged in Debian): request i is
 * due at start + i / rate whatever the answers do, and its latency counts from that scheduled
 * time, so a server that stalls is charged for every request that should have left meanwhile
 * (no coordinated omission). wrk's Lua `delay()` cannot do this: it delays a connection's next
 * request after its previous answer, which is still a closed loop.
 *
 * It also measures itself, because a generator that falls behind its schedule reports its own
 * lateness as the server's: how late each request left (send lag), the rate it actually sent,
 * its event-loop delay and its CPU share. `heldRate` is false when it sent below 99 % of the
 * rate (the latency figures then describe a lighter load than asked: not to be reported);
 * `punctual` is false when its send lag p99 was over `lagLimitMs`. Lateness of the generator
 * only adds to the latencies, so a p99 under a bound holds either way; over it, with the
 * generator not punctual, it may be the generator's.
 *
 * Run as its own process (pinned by the caller) so the benchmark's heap and timers stay out of
 * it: `node open-loop.js` with one JSON argument {url, path, body, rate, seconds, connections,
 * warmupSeconds, lagLimitMs}; prints one JSON object. Requests go on keep-alive connections of
 * its own (keep-alive-connections.js: raw sockets, one request per connection at a time); a
 * request due while every connection is busy waits for the first one free, and that wait counts
 * in its latency, as it would for a client with that many connections.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { KeepAliveConnections } from './keep-alive-connections.js';

/** The value at quantile `q` of `sorted` (ascending); NaN when empty. */
function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * Sends `rate` requests per second for `seconds` on `connections` and resolves, once every
 * answer is in, with the latencies of the 2xx answers (ms from the scheduled time), the
 * refusals and the send lags.
 */
function phase(connections, options, seconds) {
  const { rate } = options;
  const total = Math.max(1, Math.round(rate * seconds));
  const latencies = [];
  const lags = new Float64Array(total);
  let refused = 0;
  let failed = 0;
  let sent = 0;
  let finished = 0;
  let lastSentAt = 0;
  const start = performance.now();
  return new Promise((done) => {
    const fire = (index) => {
      const scheduled = start + (index * 1000) / rate;
      const now = performance.now();
      lags[index] = now - scheduled;
      lastSentAt = now;
      connections.send((status) => {
        if (status === undefined) failed += 1;
        else if (status >= 200 && status < 300) latencies.push(performance.now() - scheduled);
        else refused += 1;
        finished += 1;
        if (finished === total)
          done({ latencies, lags, refused, failed, start, lastSentAt, end: performance.now() });
      });
    };
    // Timers fire at 1 ms granularity at best: each tick sends every request due by then.
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
      while (sent < due) fire(sent++);
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
}

/** Runs the warm-up (sent, not recorded), then the measured phase; returns the figures. */
export async function openLoop(options) {
  const { url, connections, seconds, warmupSeconds = 1, lagLimitMs = 1 } = options;
  const pool = await KeepAliveConnections.open(url, options.path, options.body, connections);
  try {
    await phase(pool, options, warmupSeconds);
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const cpuBefore = process.cpuUsage();
    const result = await phase(pool, options, seconds);
    const cpu = process.cpuUsage(cpuBefore);
    delay.disable();
    const latencies = result.latencies.sort((a, b) => a - b);
    const lags = Array.from(result.lags).sort((a, b) => a - b);
    const sendSpanMs = Math.max(1, result.lastSentAt - result.start);
    const total = lags.length;
    // Requests 0..total-1 are due over (total - 1) / rate seconds.
    const sentRate = total > 1 ? ((total - 1) * 1000) / sendSpanMs : options.rate;
    const lagP99 = quantile(lags, 0.99);
    const wallMs = result.end - result.start;
    return {
      rate: options.rate,
      sentRate,
      answeredRate: (latencies.length * 1000) / wallMs,
      requests: total,
      ok: latencies.length,
      refused: result.refused,
      failed: result.failed,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      p999: quantile(latencies, 0.999),
      max: latencies.at(-1) ?? NaN,
      sendLagP50: quantile(lags, 0.5),
      sendLagP99: lagP99,
      sendLagMax: lags.at(-1) ?? NaN,
      eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
      cpuShare: (cpu.user + cpu.system) / 1000 / wallMs,
      heldRate: sentRate >= 0.99 * options.rate,
      punctual: lagP99 <= lagLimitMs,
    };
  } finally {
    pool.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const options = JSON.parse(process.argv[2] ?? '{}');
  process.stdout.write(JSON.stringify(await openLoop(options)));
}
