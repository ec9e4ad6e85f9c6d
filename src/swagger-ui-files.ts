/**
 * The files of the npm package swagger-ui-dist that the runtime's documentation page serves
 * (src/runtime/swagger-page.ts) and that the image builder therefore carries into the runtime
 * bundle (src/builders/runtime-bundle.ts): one list, so the two cannot drift apart.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/** Served by the page, with their content types. */
export const SWAGGER_ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** Carried with them: the package's licence, notice and manifest (which the lookup needs). */
export const SWAGGER_LICENSES = ['LICENSE', 'NOTICE', 'package.json'] as const;

/** The folder of swagger-ui-dist, found the way Node finds packages from the calling code. */
export function swaggerUiDir(): string {
  // createRequire rather than require.resolve: esbuild leaves it to run time, so the runtime
  // bundle finds the copy beside it in the image (/app/runtime/node_modules/swagger-ui-dist).
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('swagger-ui-dist/package.json'));
}
