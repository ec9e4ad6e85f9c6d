import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/runtime/metrics.js';

/** The value of the sample `series` (name and labels as printed) in the exposition `text`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('runtime metrics counted on the HTTP thread', () => {
  it('GIVEN requests counted between scrapes THEN each scrape shows the running total, never counting one twice', async () => {
    const metrics = createMetrics(
      () => new Map(),
      () => 0,
    );
    for (let index = 0; index < 3; index += 1) metrics.countRequest('classify', 200, 0.002);
    metrics.countRequest('classify', 400, 0.001);
    const first = await metrics.render();
    expect(sample(first, 'bentoctl_http_requests_total{api="classify",status="200"}')).toBe(3);
    expect(sample(first, 'bentoctl_http_requests_total{api="classify",status="400"}')).toBe(1);
    const again = await metrics.render();
    expect(sample(again, 'bentoctl_http_requests_total{api="classify",status="200"}')).toBe(3);
    metrics.countRequest('classify', 200, 0.003);
    metrics.countRequest('v2:iris', 200, 0.003);
    const later = await metrics.render();
    expect(sample(later, 'bentoctl_http_requests_total{api="classify",status="200"}')).toBe(4);
    expect(sample(later, 'bentoctl_http_requests_total{api="v2:iris",status="200"}')).toBe(1);
    expect(
      sample(later, 'bentoctl_http_request_duration_seconds_count{api="classify",status="200"}'),
    ).toBe(4);
    expect(
      sample(later, 'bentoctl_http_request_duration_seconds_sum{api="classify",status="200"}'),
    ).toBeCloseTo(0.009, 9);
  });

  it('GIVEN a request counted without a duration (malformed HTTP) THEN it is counted but not observed', async () => {
    const metrics = createMetrics(
      () => new Map(),
      () => 0,
    );
    metrics.countRequest('none', 400);
    const text = await metrics.render();
    expect(sample(text, 'bentoctl_http_requests_total{api="none",status="400"}')).toBe(1);
    expect(text).not.toContain('bentoctl_http_request_duration_seconds_count{api="none"');
  });

  it('GIVEN bodies parsed on each thread THEN the counter shows the totals across scrapes', async () => {
    const metrics = createMetrics(
      () => new Map(),
      () => 0,
    );
    metrics.countBodyParsed('http');
    metrics.countBodyParsed('http');
    metrics.countBodyParsed('parse');
    await metrics.render();
    metrics.countBodyParsed('http');
    const text = await metrics.render();
    expect(sample(text, 'bentoctl_request_bodies_parsed_total{thread="http"}')).toBe(3);
    expect(sample(text, 'bentoctl_request_bodies_parsed_total{thread="parse"}')).toBe(1);
  });

  it('GIVEN the server counting requests in flight THEN the gauge reads its count at each scrape', async () => {
    const metrics = createMetrics(
      () => new Map(),
      () => 0,
    );
    let inFlight = 2;
    metrics.countInFlight(() => inFlight);
    expect(sample(await metrics.render(), 'bentoctl_http_requests_in_flight')).toBe(2);
    inFlight = 0;
    expect(sample(await metrics.render(), 'bentoctl_http_requests_in_flight')).toBe(0);
  });
});
