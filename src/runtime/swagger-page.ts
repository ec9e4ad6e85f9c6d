/**
 * A page for people: Swagger UI at `/` and `/docs`, built from `/docs.json`, so anyone who
 * opens the service's URL sees its APIs with an example body each and can try them. The
 * page's scripts and styles come from the `swagger-ui-dist` package inside the image (the
 * runtime bundle carries them, see src/builders/runtime-bundle.ts): no CDN, no outbound call.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Route, RouteResult } from './routes.js';

/** The files of swagger-ui-dist the page loads, with their content types. */
export const SWAGGER_ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** Also shipped in the image: the package's licence files. */
export const SWAGGER_LICENSES = ['LICENSE', 'NOTICE', 'package.json'] as const;

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

/** The folder of swagger-ui-dist, found the way Node finds packages from this file. */
export function swaggerUiDir(): string {
  // createRequire rather than require.resolve: esbuild leaves it to run time, so the bundle
  // finds the copy beside it in the image (/app/runtime/node_modules/swagger-ui-dist).
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('swagger-ui-dist/package.json'));
}

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
): Route | undefined {
  const answer = (result: () => RouteResult): Route => ({
    label: '/docs',
    methods: ['GET', 'HEAD'],
    handle: () => Promise.resolve(result()),
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
