/**
 * Where a repository's registry HTTP API (OCI distribution spec) is: `host[:port]/name` becomes
 * the base URL and the repository name the `/v2/<name>/...` paths take.
 */
import { registryHost } from '../registry-auth/registry-credentials.js';

export interface RegistryEndpoint {
  /** `host[:port]` as image references write it (`docker.io` for Docker Hub). */
  readonly host: string;
  /** The repository name inside the registry, e.g. `team/iris-prod`. */
  readonly name: string;
  /** `https://host[:port]`; plain HTTP for loopback hosts, as the Docker engine allows. */
  readonly baseUrl: string;
}

/** Docker Hub's API host differs from the host image references name. */
const DOCKER_HUB_API = 'registry-1.docker.io';
const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/;

export function registryEndpoint(repository: string): RegistryEndpoint {
  const host = registryHost(repository);
  const path = repository.startsWith(`${host}/`) ? repository.slice(host.length + 1) : repository;
  if (host === 'docker.io') {
    // Docker Hub's official images live under `library/`.
    const name = path.includes('/') ? path : `library/${path}`;
    return { host, name, baseUrl: `https://${DOCKER_HUB_API}` };
  }
  const scheme = LOOPBACK.test(host) ? 'http' : 'https';
  return { host, name: path, baseUrl: `${scheme}://${host}` };
}
