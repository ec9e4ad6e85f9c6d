import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chromiumSkipReason, launchChromium } from '../helpers/chromium.js';
import { makeTestBento } from './helpers/models.js';
import { startTestServer, type TestServer } from './helpers/server.js';

describe('the Swagger UI page over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(makeTestBento({ slowLayers: 1 }));
  });
  afterAll(async () => {
    await server.handle.shutdown();
  });

  it('GIVEN / and /docs THEN both are the page, which loads Swagger UI from this server only', async () => {
    for (const path of ['/', '/docs']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await response.text();
      expect(html).toContain(`<title>test_bento ${server.handle.manifest.version}</title>`);
      const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
      expect(sources.length).toBeGreaterThan(2);
      for (const source of sources) expect(source).toMatch(/^\/docs\//);
    }
    const init = await (await fetch(`${server.url}/docs/swagger-init.js`)).text();
    expect(init).toContain("url: '/docs.json'");
    expect(init).toContain('validatorUrl: null');
    const script = await fetch(`${server.url}/docs/swagger-ui-bundle.js`);
    expect(script.headers.get('cache-control')).toBe('public, max-age=3600');
    expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(1_000_000);
    expect((await fetch(`${server.url}/docs/../package.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/docs/index.html`)).status).toBe(404);
  });

  it('GIVEN /docs.json THEN each API has an example body built from its input signature, which the API accepts', async () => {
    const doc = (await (await fetch(`${server.url}/docs.json`)).json()) as {
      paths: Record<
        string,
        { post?: { requestBody: { content: Record<string, { example?: unknown }> } } }
      >;
    };
    const example = (path: string) =>
      doc.paths[path]?.post?.requestBody.content['application/json']?.example;
    expect(example('/classify')).toEqual({ input: [[0, 0, 0, 0]] });
    expect(example('/mixed')).toMatchObject({
      u8: [
        [
          [0, 0],
          [0, 0],
        ],
      ],
      flag: [false],
      i32: [0],
    });
    expect(example('/classify/submit')).toEqual(example('/classify'));
    for (const api of ['classify', 'mixed', 'slow']) {
      const response = await server.post(`/${api}`, example(`/${api}`));
      expect(response.status, api).toBe(200);
    }
  });
});

describe('the Swagger UI page in headless Chromium', () => {
  const reason = chromiumSkipReason();
  let server: TestServer;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  beforeEach((context) => {
    if (reason !== undefined) context.skip(reason);
  });
  beforeAll(async () => {
    if (reason !== undefined) return;
    server = await startTestServer(makeTestBento({ slowLayers: 1 }));
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await server?.handle.shutdown();
  });

  it('GIVEN the page WHEN opened THEN it lists the APIs, and every file it loads comes from the server', async () => {
    const page = await (browser?.context as NonNullable<typeof browser>['context']).newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(`${server.url}/`);
    await page.locator('#operations-classify-classify').waitFor({ timeout: 30_000 });
    expect(
      await page.locator('.opblock-summary-path', { hasText: '/classify/submit' }).count(),
    ).toBe(1);
    expect(await page.title()).toBe(`test_bento ${server.handle.manifest.version}`);
    expect(requested.length).toBeGreaterThan(3);
    for (const url of requested) expect(url.startsWith(`${server.url}/`), url).toBe(true);
    expect(requested).toContain(`${server.url}/docs.json`);
    await page.close();
  }, 60_000);

  it('GIVEN an API WHEN "Try it out" then Execute THEN the page shows the prediction', async () => {
    const page = await (browser?.context as NonNullable<typeof browser>['context']).newPage();
    await page.goto(`${server.url}/docs`);
    const operation = page.locator('#operations-classify-classify');
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.try-out__btn').click();
    const body = operation.locator('textarea.body-param__text');
    await body.fill(JSON.stringify({ input: [[6.5, 3.0, 5.5, 2.0]] }));
    await operation.locator('button.execute').click();
    const status = operation
      .locator('.live-responses-table tr.response td.response-col_status')
      .first();
    await status.waitFor({ timeout: 30_000 });
    expect((await status.innerText()).trim()).toBe('200');
    const shown = await operation
      .locator('.live-responses-table tr.response .response-col_description .highlight-code pre')
      .first()
      .innerText();
    const prediction = JSON.parse(shown) as { label: number[]; probabilities: number[][] };
    expect(prediction.label).toEqual([2]);
    expect(prediction.probabilities[0]).toHaveLength(3);
    await page.close();
  }, 60_000);

  it('GIVEN bearer auth WHEN the token is given under Authorize THEN Execute sends it and gets the prediction', async () => {
    const token = 'swagger-page-token';
    const secured = await startTestServer(
      makeTestBento({ slowLayers: 1 }),
      { authMode: 'bearer', authTokenEnv: 'TEST_TOKEN' },
      { TEST_TOKEN: token },
    );
    const page = await (browser?.context as NonNullable<typeof browser>['context']).newPage();
    try {
      await page.goto(`${secured.url}/`);
      await page.locator('button.authorize').first().click();
      await page
        .locator('.modal-ux input[type="text"], .modal-ux input[type="password"]')
        .first()
        .fill(token);
      await page.locator('.modal-ux button.authorize').click();
      await page.locator('.modal-ux button.btn-done').click();
      const operation = page.locator('#operations-classify-classify');
      await operation.locator('.opblock-summary').click();
      await operation.locator('button.try-out__btn').click();
      await operation.locator('button.execute').click();
      const status = operation
        .locator('.live-responses-table tr.response td.response-col_status')
        .first();
      await status.waitFor({ timeout: 30_000 });
      expect((await status.innerText()).trim()).toBe('200');
    } finally {
      await page.close();
      await secured.handle.shutdown();
    }
  }, 60_000);
});
