/**
 * Ids for requests that come without a usable `x-request-id`: 64 random bits drawn once per
 * process, then a counter. Unique across instances and restarts like a UUID, for the price of
 * an increment (a UUID per request was about 0.5 us of the HTTP thread's 30 us on a small
 * request: docs/benchmarks.md).
 */
import { randomBytes } from 'node:crypto';

export function createRequestIds(): () => string {
  const prefix = randomBytes(8).toString('hex');
  let next = 0;
  return () => {
    next += 1;
    return `${prefix}-${next.toString(16).padStart(8, '0')}`;
  };
}
