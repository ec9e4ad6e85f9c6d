/**
 * A local HTTP server standing in for a deployed service: every request is answered as
 * `/readyz` of the revision `serving()` names (its bento version and image digest headers),
 * which is what apply, rollback and restore wait for.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the stand-in reports it runs, asked again on each request. */
export interface ServedRevision {
  readonly bentoVersion: string;
  readonly digest: string;
}

export interface StandInService {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startStandIn(serving: () => ServedRevision): Promise<StandInService> {
  const server = createServer((_request, response) => {
    const revision = serving();
    response.setHeader('bentoctl-bento-version', revision.bentoVersion);
    response.setHeader('bentoctl-image-digest', revision.digest);
    response.setHeader('content-type', 'application/json');
    response.end('{"status":"ready"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
