/**
 * What the engine needs to push to a registry: the Docker Engine API's `X-Registry-Auth` body.
 * Either a username and password, or an identity token (OAuth refresh token) for the host.
 */
export interface RegistryCredentials {
  readonly serveraddress: string;
  readonly username?: string;
  readonly password?: string;
  readonly identitytoken?: string;
}

/** The registry host of a repository (`host[:port]/path` -> `host[:port]`). */
export function registryHost(repository: string): string {
  const slash = repository.indexOf('/');
  const first = slash < 0 ? repository : repository.slice(0, slash);
  // Docker's rule: a first segment without `.` or `:` (and not localhost) is a Docker Hub path.
  if (slash < 0 || !(first.includes('.') || first.includes(':') || first === 'localhost')) {
    return 'docker.io';
  }
  return first;
}
