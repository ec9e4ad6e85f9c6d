/** Bearer-token auth: a constant-time comparison against the token the service was given. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './http-errors.js';

export type Authenticator = (authorization: string | undefined) => void;

export function bearerAuthenticator(token: string): Authenticator {
  // Compare digests so the comparison takes the same time whatever the length of the guess.
  const expected = createHash('sha256').update(token).digest();
  return (authorization) => {
    const match =
      authorization === undefined ? null : /^Bearer ([^\s]+)$/i.exec(authorization.trim());
    if (match === null) {
      throw new HttpError(
        'UNAUTHORIZED',
        'this API needs an `Authorization: Bearer <token>` header',
      );
    }
    const given = createHash('sha256')
      .update(match[1] ?? '')
      .digest();
    if (!timingSafeEqual(given, expected))
      throw new HttpError('UNAUTHORIZED', 'the bearer token is not valid');
  };
}
