/**
 * The candidate check of `release promote --after-bake`, in-process against servers on port 0:
 * readiness from the candidate's own image, the 5xx share of the runtime's counters, and what
 * cannot be judged (authentication, too few requests, no counters).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkCandidate, errorRateOf } from '../../src/deploy/candidate-health.js';

const DIGEST = `sha256:${'c'.repeat(64)}`;
const OTHER = `sha256:${'a'.repeat(64)}`;

interface Answers {
  readonly readyz: { status: number; digest?: string };
  readonly metrics: { status: number; body: string };
}

let server: Server | undefined;

async function candidateAt(answers: Answers): Promise<string> {
  server = createServer((request, response) => {
    if (request.url === '/metrics') {
      response.statusCode = answers.metrics.status;
      response.end(answers.metrics.body);
      return;
    }
    response.statusCode = answers.readyz.status;
    if (answers.readyz.digest !== undefined) {
      response.setHeader('bentoctl-bento-version', 'bento-c');
      response.setHeader('bentoctl-image-digest', answers.readyz.digest);
    }
    response.end('{}');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const counters = (samples: Record<string, number>) =>
  Object.entries(samples)
    .map(([status, n]) => `bentoctl_http_requests_total{api="classify",status="${status}"} ${n}`)
    .join('\n');

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe('errorRateOf', () => {
  it('GIVEN the runtime exposition THEN it sums every API and status and counts 5xx', () => {
    const text = [
      '# HELP bentoctl_http_requests_total HTTP requests answered, by API and status code.',
      '# TYPE bentoctl_http_requests_total counter',
      'bentoctl_http_requests_total{api="classify",status="200"} 180',
      'bentoctl_http_requests_total{api="classify",status="400"} 10',
      'bentoctl_http_requests_total{status="503",api="embed"} 7',
      'bentoctl_http_requests_total{api="embed",status="500"} 3',
      'bentoctl_http_request_duration_seconds_count{api="classify",status="200"} 180',
    ].join('\n');
    expect(errorRateOf(text)).toEqual({ requests: 200, errors: 10, percent: 5 });
  });

  it('GIVEN no request counter THEN there is no rate', () => {
    expect(errorRateOf('process_cpu_seconds_total 1.5\n')).toBeUndefined();
  });
});

describe('checkCandidate', () => {
  it('GIVEN the candidate ready from its image and 6 % 5xx THEN it is unhealthy, naming the rate', async () => {
    const url = await candidateAt({
      readyz: { status: 200, digest: DIGEST },
      metrics: { status: 200, body: counters({ 200: 47, 503: 3 }) },
    });
    const health = await checkCandidate(url, { imageDigest: DIGEST });
    expect(health).toMatchObject({
      healthy: false,
      checked: true,
      errorRate: { requests: 50, errors: 3, percent: 6 },
    });
    expect(health.problems).toEqual([
      `6 % of the 50 requests it answered were 5xx (more than 5 %, ${url}/metrics)`,
    ]);
  });

  it('GIVEN 5 % 5xx exactly THEN it is healthy (the bound is "more than")', async () => {
    const url = await candidateAt({
      readyz: { status: 200, digest: DIGEST },
      metrics: { status: 200, body: counters({ 200: 95, 500: 5 }) },
    });
    expect(await checkCandidate(url, { imageDigest: DIGEST })).toMatchObject({
      healthy: true,
      problems: [],
    });
  });

  it('GIVEN another image answering on its URL THEN it is unhealthy after the ready timeout', async () => {
    const url = await candidateAt({
      readyz: { status: 200, digest: OTHER },
      metrics: { status: 200, body: counters({ 200: 100 }) },
    });
    const health = await checkCandidate(url, { imageDigest: DIGEST }, { readyTimeoutSeconds: 1 });
    expect(health.healthy).toBe(false);
    expect(health.problems[0]).toMatch(
      new RegExp(
        `^${url}/readyz did not answer ready from image ${DIGEST} within 1 s \\(bento bento-c, image ${OTHER} answers`,
      ),
    );
  });

  it('GIVEN the candidate answers 503 THEN it is unhealthy', async () => {
    const url = await candidateAt({
      readyz: { status: 503 },
      metrics: { status: 200, body: '' },
    });
    const health = await checkCandidate(url, { imageDigest: DIGEST }, { readyTimeoutSeconds: 1 });
    expect(health).toMatchObject({ healthy: false, readiness: 'HTTP 503' });
  });

  it('GIVEN fewer than 10 answers THEN the rate is shown but not judged', async () => {
    const url = await candidateAt({
      readyz: { status: 200, digest: DIGEST },
      metrics: { status: 200, body: counters({ 200: 2, 503: 2 }) },
    });
    expect(await checkCandidate(url, { imageDigest: DIGEST })).toMatchObject({
      healthy: true,
      errorRate: { requests: 4, percent: 50 },
      errorRateNote: 'not judged: 4 requests answered, fewer than 10',
    });
  });

  it('GIVEN authentication in front THEN it is reported as not checked, as apply does', async () => {
    const url = await candidateAt({ readyz: { status: 403 }, metrics: { status: 403, body: '' } });
    expect(await checkCandidate(url, { imageDigest: DIGEST })).toMatchObject({
      healthy: true,
      checked: false,
      errorRateNote: 'not asked: behind authentication',
    });
  });

  it('GIVEN /metrics refused by a proxy THEN readiness decides and the rate is not measured', async () => {
    const url = await candidateAt({
      readyz: { status: 200, digest: DIGEST },
      metrics: { status: 404, body: '' },
    });
    expect(await checkCandidate(url, { imageDigest: DIGEST })).toMatchObject({
      healthy: true,
      errorRate: null,
      errorRateNote: `not measured: ${url}/metrics answered HTTP 404`,
    });
  });
});
