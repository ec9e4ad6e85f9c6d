/**
 * What `bentoctl serve` can run: a bento folder or a `service:version` from the local store
 * (not an archive, which would need unpacking), validated as `bento build` does so problems
 * come with file:line before anything starts.
 */
import { errors } from '../errors/index.js';
import { bentoctlHome } from './home.js';
import { locateBento } from './locate.js';
import { validateBento, type ValidatedBento } from './validate.js';

/** Finds and validates `reference`, relative to `cwd`; SERVE_FAILED when it cannot be served. */
export async function servableBento(
  reference: string,
  cwd: string = process.cwd(),
): Promise<ValidatedBento> {
  const lookup = locateBento(reference, cwd, bentoctlHome());
  if (!lookup.found) {
    throw errors.serveFailed(
      `bento ${reference}`,
      `${lookup.problem}${lookup.suggestion ? ` (${lookup.suggestion})` : ''}`,
    );
  }
  if (lookup.reference.kind === 'archive') {
    throw errors.serveFailed(
      `bento ${reference}`,
      'serve runs a bento folder or service:version; unpack the archive first',
    );
  }
  return validateBento(lookup.reference.path);
}
