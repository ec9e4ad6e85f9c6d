import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  pollReadyz,
  readyzUrl,
  revisionMismatch,
  waitForReady,
  waitForRevision,
} from '../../src/deploy/wait-ready.js';

const OLD = { bentoVersion: 'v-old', imageDigest: `sha256:${'0'.repeat(64)}` };
const NEW = { bentoVersion: 'v-new', imageDigest: `sha256:${'1'.repeat(64)}` };

describe('waitForReady', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function serve(
    statuses: readonly number[],
  ): Promise<{ endpoint: string; paths: string[] }> {
    const paths: string[] = [];
    server = createServer((request, response) => {
      paths.push(request.url ?? '');
      response.statusCode = statuses[Math.min(paths.length - 1, statuses.length - 1)] ?? 500;
      response.end();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, paths };
  }

  it('GIVEN a service that starts answering after two 503s WHEN waited for THEN it returns on the first 200', async () => {
    const { endpoint, paths } = await serve([503, 503, 200]);
    const retries: string[] = [];

    const ready = await waitForReady(endpoint, {
      timeoutMs: 10_000,
      initialDelayMs: 10,
      onRetry: (status) => retries.push(status),
    });

    expect(ready).toMatchObject({ status: 200, attempts: 3, authRequired: false });
    expect(paths).toEqual(['/readyz', '/readyz', '/readyz']);
    expect(retries).toEqual(['HTTP 503', 'HTTP 503']);
  });

  it('GIVEN a private service WHEN it answers 403 THEN it counts as up behind authentication', async () => {
    const { endpoint } = await serve([403]);

    await expect(waitForReady(endpoint, { timeoutMs: 5_000 })).resolves.toMatchObject({
      status: 403,
      authRequired: true,
    });
  });

  it('GIVEN a service that never becomes ready WHEN the timeout passes THEN it fails with the last answer', async () => {
    const { endpoint } = await serve([503]);

    const waiting = waitForReady(endpoint, { timeoutMs: 300, initialDelayMs: 50 });

    await expect(waiting).rejects.toMatchObject({ code: 'ENDPOINT_NOT_READY', kind: 'external' });
    await expect(waiting).rejects.toThrow(/did not answer ready within 0.3 s \(last: HTTP 503\)/);
  });

  it('GIVEN an endpoint with a path and trailing slash THEN /readyz is appended once', () => {
    expect(readyzUrl('https://api.example.com/iris/')).toBe('https://api.example.com/iris/readyz');
  });

  /** /readyz answering 200 from `revisions[n]` on the n-th request (the last one repeats). */
  async function serveRevisions(
    revisions: readonly (typeof OLD | undefined)[],
    via: 'headers' | 'body' = 'headers',
  ): Promise<{ endpoint: string; hits: () => number }> {
    let hits = 0;
    server = createServer((_request, response) => {
      const revision = revisions[Math.min(hits, revisions.length - 1)];
      hits += 1;
      response.setHeader('content-type', 'application/json');
      if (revision !== undefined && via === 'headers') {
        response.setHeader('bentoctl-bento-version', revision.bentoVersion);
        response.setHeader('bentoctl-image-digest', revision.imageDigest);
      }
      const fields =
        revision !== undefined && via === 'body'
          ? { bento_version: revision.bentoVersion, image_digest: revision.imageDigest }
          : {};
      response.end(JSON.stringify({ status: 'ready', ...fields }));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return {
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      hits: () => hits,
    };
  }

  it('GIVEN the old revision answering ready first WHEN waiting for the new digest THEN it waits until the new one answers', async () => {
    const { endpoint } = await serveRevisions([OLD, OLD, NEW]);
    const retries: string[] = [];

    const ready = await waitForRevision(endpoint, {
      expected: { imageDigest: NEW.imageDigest, bentoVersion: NEW.bentoVersion },
      timeoutMs: 10_000,
      initialDelayMs: 10,
      onRetry: (reason) => retries.push(reason),
    });

    expect(ready).toMatchObject({ status: 200, attempts: 3, revision: NEW });
    expect(retries).toEqual([
      `bento v-old, image ${OLD.imageDigest} answers, waiting for bento v-new, image ${NEW.imageDigest}`,
      `bento v-old, image ${OLD.imageDigest} answers, waiting for bento v-new, image ${NEW.imageDigest}`,
    ]);
  });

  it('GIVEN a proxy that drops the headers WHEN waiting THEN the /readyz body tells the revision', async () => {
    const { endpoint } = await serveRevisions([OLD, NEW], 'body');

    await expect(
      waitForRevision(endpoint, {
        expected: { imageDigest: NEW.imageDigest },
        timeoutMs: 10_000,
        initialDelayMs: 10,
      }),
    ).resolves.toMatchObject({ attempts: 2, revision: NEW });
  });

  it('GIVEN only a bento version is known WHEN waiting THEN the bento version is compared', async () => {
    const { endpoint } = await serveRevisions([OLD, NEW]);

    await expect(
      waitForRevision(endpoint, {
        expected: { bentoVersion: NEW.bentoVersion },
        timeoutMs: 10_000,
        initialDelayMs: 10,
      }),
    ).resolves.toMatchObject({ attempts: 2 });
  });

  it('GIVEN a runtime that knows its bento but not its digest WHEN waiting THEN the bento version decides', () => {
    const expected = { imageDigest: NEW.imageDigest, bentoVersion: NEW.bentoVersion };

    expect(revisionMismatch({ bentoVersion: NEW.bentoVersion }, expected)).toBeUndefined();
    expect(revisionMismatch({ bentoVersion: OLD.bentoVersion }, expected)).toMatch(
      /^bento v-old answers, waiting for/,
    );
    expect(revisionMismatch({ ...NEW, imageDigest: OLD.imageDigest }, expected)).toMatch(
      /answers, waiting for/,
    );
    expect(revisionMismatch(undefined, {})).toBeUndefined();
  });

  it('GIVEN the old revision never gives way WHEN the timeout passes THEN it fails naming both revisions and a rollback', async () => {
    const { endpoint } = await serveRevisions([OLD]);

    const waiting = waitForRevision(endpoint, {
      expected: { imageDigest: NEW.imageDigest, bentoVersion: NEW.bentoVersion },
      timeoutMs: 300,
      initialDelayMs: 50,
    });

    await expect(waiting).rejects.toMatchObject({ code: 'REVISION_NOT_SERVING', kind: 'external' });
    await expect(waiting).rejects.toThrow(
      `${endpoint}/readyz still answers from bento v-old, image ${OLD.imageDigest} after 0.3 s, not from the one just applied: bento v-new, image ${NEW.imageDigest}. The platform may have rolled the deployment back`,
    );
    await expect(waiting).rejects.toMatchObject({
      hint: expect.stringContaining('aws ecs describe-services'),
    });
  });

  it('GIVEN an image that reports no revision WHEN waiting for one THEN it is not taken for the new revision', async () => {
    const { endpoint } = await serveRevisions([undefined]);

    await expect(
      waitForRevision(endpoint, {
        expected: { imageDigest: NEW.imageDigest },
        timeoutMs: 200,
        initialDelayMs: 50,
      }),
    ).rejects.toThrow(/still answers from a revision that does not report its version/);
  });

  it('GIVEN a private service answering 403 WHEN waiting for a revision THEN it is reported as up, unchecked', async () => {
    const { endpoint } = await serve([403]);

    await expect(
      waitForRevision(endpoint, { expected: { imageDigest: NEW.imageDigest }, timeoutMs: 5_000 }),
    ).resolves.toMatchObject({ status: 403, authRequired: true, revision: null });
  });

  it('GIVEN a stop condition WHEN it trips THEN polling ends at once with its reason', async () => {
    const { endpoint, hits } = await serveRevisions([undefined]);
    let calls = 0;

    const outcome = await pollReadyz(readyzUrl(endpoint), {
      timeoutMs: 10_000,
      initialDelayMs: 10,
      unmet: () => 'never good enough',
      stopped: () => (++calls > 2 ? 'it exited with code 1' : undefined),
    });

    expect(outcome).toEqual({ kind: 'stopped', reason: 'it exited with code 1', attempts: 2 });
    expect(hits()).toBe(2);
  });
});
