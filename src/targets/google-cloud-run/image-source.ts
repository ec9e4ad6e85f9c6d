/**
 * Where a Cloud Run image comes from, and whether Cloud Run can pull it at all. Cloud Run
 * imports the image when it creates a revision, and only from Artifact Registry (including the
 * gcr.io domains it now serves) and from public images on Docker Hub and GitHub Container
 * Registry (https://cloud.google.com/run/docs/deploying#images). Any other registry needs an
 * Artifact Registry remote repository in front of it.
 */

/** An Artifact Registry repository, as Cloud Run's service agent needs read access to it. */
export interface ArtifactRegistryRepositoryRef {
  readonly project: string;
  readonly location: string;
  readonly repositoryId: string;
}

/** `<location>-docker.pkg.dev/<project>/<repository>/<image>` */
const PKG_DEV = /^([a-z0-9-]+)-docker\.pkg\.dev\/([^/]+)\/([^/]+)\/.+$/;

/** gcr.io hosts are Artifact Registry repositories named after the host, in a multi-region. */
const GCR_HOST_LOCATIONS: Readonly<Record<string, string>> = {
  'gcr.io': 'us',
  'us.gcr.io': 'us',
  'eu.gcr.io': 'europe',
  'asia.gcr.io': 'asia',
};

/** Public registries Cloud Run pulls from directly (public images only). */
export const CLOUD_RUN_PUBLIC_REGISTRIES = [
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'mirror.gcr.io',
  'ghcr.io',
] as const;

/** The repository's Artifact Registry home, or undefined for a public registry or another host. */
export function artifactRegistryRepository(
  repository: string,
): ArtifactRegistryRepositoryRef | undefined {
  const pkgDev = PKG_DEV.exec(repository);
  if (pkgDev) {
    const [, location = '', project = '', repositoryId = ''] = pkgDev;
    return { project, location, repositoryId };
  }
  const [host = '', project, image] = repository.split('/');
  const location = GCR_HOST_LOCATIONS[host];
  if (location !== undefined && project !== undefined && image !== undefined) {
    return { project, location, repositoryId: host };
  }
  return undefined;
}

/** Why Cloud Run cannot pull images from `repository`, or undefined when it can. */
export function cloudRunImagePullProblem(repository: string): string | undefined {
  if (artifactRegistryRepository(repository) !== undefined) return undefined;
  const host = registryHost(repository);
  if ((CLOUD_RUN_PUBLIC_REGISTRIES as readonly string[]).includes(host)) return undefined;
  return `Cloud Run pulls images only from Artifact Registry (<location>-docker.pkg.dev/<project>/<repository>/<image>, gcr.io) and public Docker Hub or ghcr.io images, not from ${host}; push to Artifact Registry (leave image.repository out to use the deployment's own), or put an Artifact Registry remote repository in front of ${host} and use its address`;
}

/** The registry host of a repository; a name without one is on Docker Hub. */
function registryHost(repository: string): string {
  const first = repository.split('/')[0] ?? '';
  const isHost = repository.includes('/') && (/[.:]/.test(first) || first === 'localhost');
  return isHost ? first : 'docker.io';
}
