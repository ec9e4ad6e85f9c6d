/**
 * A page for people: Swagger UI at `/` and `/docs`, built from `/docs.json`, so anyone who
 * opens the service's URL sees its APIs with an example body each and can try them. The
 * page's scripts and styles come from the `swagger-ui-dist` package inside the image (the
 * runtime bundle carries them, see src/builders/runtime-bundle.ts): no CDN, no outbound call.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SWAGGER_ASSETS, swaggerUiDir } from '../swagger-ui-files.js';
import type { RouteResult } from './route-pipeline.js';

/** A page route: no guards (the page, like /docs.json, never needs the token). */
export interface SwaggerRoute {
  readonly label: string;
  readonly methods: readonly string[];
  readonly answer: () => RouteResult;
}

// Swagger UI's defaults would fetch a validator badge from validator.swagger.io; null turns it off.
const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: '/docs.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

const assetCache = new Map<string, Buffer>();

function asset(name: string): Buffer {
  let bytes = assetCache.get(name);
  if (bytes === undefined) {
    bytes = readFileSync(join(swaggerUiDir(), name));
    assetCache.set(name, bytes);
  }
  return bytes;
}

function page(title: string): string {
  const safe = title.replace(/[<>&"]/g, (char) => `&#${char.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${safe}</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-init.js"></script>
</body>
</html>
`;
}

/** The route of the page or one of its files, or undefined for other paths. */
export function matchSwaggerRoute(
  path: string,
  service: { readonly name: string; readonly version: string },
): SwaggerRoute | undefined {
  const answer = (result: () => RouteResult): SwaggerRoute => ({
    label: '/docs',
    methods: ['GET', 'HEAD'],
    answer: result,
  });
  if (path === '/' || path === '/docs') {
    return answer(() => ({
      status: 200,
      body: page(`${service.name} ${service.version}`),
      contentType: 'text/html; charset=utf-8',
    }));
  }
  if (path === '/docs/swagger-init.js') {
    return answer(() => ({
      status: 200,
      body: INIT_SCRIPT,
      contentType: 'text/javascript; charset=utf-8',
    }));
  }
  const name = path.startsWith('/docs/') ? path.slice('/docs/'.length) : undefined;
  const contentType = name === undefined ? undefined : SWAGGER_ASSETS[name];
  if (name === undefined || contentType === undefined) return undefined;
  return answer(() => ({
    status: 200,
    body: asset(name),
    contentType,
    // The files change only with the image; an hour spares reloading 1.7 MB per visit.
    headers: { 'cache-control': 'public, max-age=3600' },
  }));
}
