/**
 * Credentials for a push, chosen by the repository's host: ECR hosts use the AWS SDK (and get
 * their repository created), Artifact Registry hosts Google ADC (and get their repository
 * created), ACR hosts Entra ID or admin credentials (and a deployment's own registry created),
 * and any other registry the Docker config. The cloud SDKs load only here, and
 * only the one the host needs.
 */
import { ecrLocation } from '../../targets/common/aws-ecr.js';
import type { ImageDestination } from '../image-destination.js';
import {
  acrAdminCredentials,
  acrCredentials,
  azureManagementToken,
  createAzureTokenSource,
  isAzureRegistry,
  type AzureTokenSource,
  type FetchLike,
} from './acr.js';
import { acrRegistryTarget, ensureAcrRegistry } from './acr-registry.js';
import {
  artifactRegistryCredentials,
  createGoogleTokenSource,
  isGoogleRegistry,
  type GoogleTokenSource,
} from './artifact-registry.js';
import { artifactRepositoryOf, ensureArtifactRepository } from './artifact-registry-repository.js';
import { dockerConfigCredentials, type DockerConfigOptions } from './docker-config.js';
import { createEcrClient, ecrLogin, ensureEcrRepository, type EcrClientLike } from './ecr.js';
import { registryHost, type RegistryCredentials } from './registry-credentials.js';

export type RegistryFamily = 'ecr' | 'artifact-registry' | 'acr' | 'docker-config';

/** Factories of the cloud clients; tests replace them with fakes. */
export interface AuthProviders {
  readonly ecrClient?: (region: string) => Promise<EcrClientLike>;
  readonly googleTokens?: () => Promise<GoogleTokenSource>;
  readonly azureTokens?: () => Promise<AzureTokenSource>;
  readonly fetch?: FetchLike;
  readonly dockerConfig?: DockerConfigOptions;
  readonly env?: NodeJS.ProcessEnv;
}

export interface PushTarget {
  readonly repository: string;
  readonly family: RegistryFamily;
  /** Undefined: push without credentials (open registry, or the engine's own login). */
  readonly credentials: RegistryCredentials | undefined;
  /** What was done on the way, e.g. an ECR repository created. */
  readonly notes: readonly string[];
}

export function registryFamily(repository: string): RegistryFamily {
  const host = registryHost(repository);
  if (ecrLocation(repository) !== undefined) return 'ecr';
  if (isGoogleRegistry(host)) return 'artifact-registry';
  if (isAzureRegistry(host)) return 'acr';
  return 'docker-config';
}

export async function resolvePushTarget(
  destination: ImageDestination,
  providers: AuthProviders = {},
): Promise<PushTarget> {
  const ecrClient = providers.ecrClient ?? createEcrClient;
  if (destination.kind === 'ecr-default') {
    const client = await ecrClient(destination.region);
    const login = await ecrLogin(client, destination.region);
    return withEcrRepository(
      client,
      `${login.registry}/${destination.name}`,
      destination.name,
      login.credentials,
    );
  }
  const { repository } = destination;
  const host = registryHost(repository);
  const family = registryFamily(repository);
  switch (family) {
    case 'ecr': {
      const location = ecrLocation(repository);
      if (location === undefined) break;
      const client = await ecrClient(location.region);
      const login = await ecrLogin(client, location.region);
      return withEcrRepository(client, repository, location.name, login.credentials);
    }
    case 'artifact-registry': {
      const source = await (providers.googleTokens ?? createGoogleTokenSource)();
      const credentials = await artifactRegistryCredentials(host, source);
      const target = artifactRepositoryOf(repository);
      const state =
        target === undefined
          ? 'exists'
          : await ensureArtifactRepository(target, credentials.password ?? '', {
              ...(providers.fetch === undefined ? {} : { fetch: providers.fetch }),
            });
      return {
        repository,
        family,
        credentials,
        notes:
          state === 'created' && target !== undefined
            ? [`created the Artifact Registry repository ${target.repositoryId}`]
            : [],
      };
    }
    case 'acr': {
      const admin = acrAdminCredentials(host, providers.env);
      // Admin credentials exist only on a registry that exists: nothing to create.
      if (admin !== undefined) return { repository, family, credentials: admin, notes: [] };
      // Before any Azure call, so a missing subscription fails fast and says what to set.
      const registry =
        destination.acrRegistry === undefined
          ? undefined
          : acrRegistryTarget(destination.acrRegistry, providers.env);
      const source = await (providers.azureTokens ?? createAzureTokenSource)();
      const aadToken = await azureManagementToken(host, source);
      // The token exchange needs the registry, so it is created first.
      const state =
        registry === undefined
          ? 'exists'
          : await ensureAcrRegistry(registry, aadToken, {
              ...(providers.fetch === undefined ? {} : { fetch: providers.fetch }),
            });
      const credentials = await acrCredentials(host, {
        source,
        aadToken,
        ...(providers.fetch === undefined ? {} : { fetch: providers.fetch }),
        ...(providers.env === undefined ? {} : { env: providers.env }),
      });
      return {
        repository,
        family,
        credentials,
        notes:
          state === 'created' && registry !== undefined
            ? [`created the ACR registry ${registry.name}`]
            : [],
      };
    }
    case 'docker-config':
      break;
  }
  const credentials = await dockerConfigCredentials(host, providers.dockerConfig);
  return {
    repository,
    family: 'docker-config',
    credentials,
    notes:
      credentials === undefined
        ? [`no credentials for ${host} in the Docker config; pushing without`]
        : [],
  };
}

async function withEcrRepository(
  client: EcrClientLike,
  repository: string,
  name: string,
  credentials: RegistryCredentials,
): Promise<PushTarget> {
  const state = await ensureEcrRepository(client, name);
  return {
    repository,
    family: 'ecr',
    credentials,
    notes: state === 'created' ? [`created the ECR repository ${name}`] : [],
  };
}
