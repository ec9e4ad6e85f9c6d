/**
 * Credentials to read an image from a repository (the source of `promote`), chosen by host as
 * for a push (push-credentials.ts) but creating nothing: an ECR login (its token reads any
 * account's repository the caller may pull from), a Google access token, an ACR token exchange
 * or admin credentials, else the Docker config.
 */
import { ecrLocation } from '../../targets/common/aws-ecr.js';
import { ACR_ADMIN_ENV, acrCredentials, createAzureTokenSource } from './acr.js';
import { artifactRegistryCredentials, createGoogleTokenSource } from './artifact-registry.js';
import { dockerConfigCredentials } from './docker-config.js';
import { createEcrClient, ecrLogin } from './ecr.js';
import { registryFamily, type AuthProviders, type RegistryFamily } from './push-credentials.js';
import { registryHost, type RegistryCredentials } from './registry-credentials.js';

export interface PullSource {
  readonly repository: string;
  readonly family: RegistryFamily;
  /** Undefined: read anonymously. */
  readonly credentials: RegistryCredentials | undefined;
  /** Where the credentials came from, for error messages. */
  readonly credentialsSource: string;
}

export async function resolvePullSource(
  repository: string,
  providers: AuthProviders = {},
): Promise<PullSource> {
  const host = registryHost(repository);
  const family = registryFamily(repository);
  switch (family) {
    case 'ecr': {
      const region = ecrLocation(repository)?.region ?? '';
      const client = await (providers.ecrClient ?? createEcrClient)(region);
      const login = await ecrLogin(client, region);
      return {
        repository,
        family,
        credentials: login.credentials,
        credentialsSource: `an ECR login (account ${login.accountId}, ${region})`,
      };
    }
    case 'artifact-registry': {
      const source = await (providers.googleTokens ?? createGoogleTokenSource)();
      return {
        repository,
        family,
        credentials: await artifactRegistryCredentials(host, source),
        credentialsSource: credentialsSource(family),
      };
    }
    case 'acr': {
      const credentials = await acrCredentials(host, {
        source: await (providers.azureTokens ?? createAzureTokenSource)(),
        ...(providers.fetch === undefined ? {} : { fetch: providers.fetch }),
        ...(providers.env === undefined ? {} : { env: providers.env }),
      });
      return { repository, family, credentials, credentialsSource: credentialsSource(family) };
    }
    case 'docker-config': {
      const credentials = await dockerConfigCredentials(host, providers.dockerConfig);
      return { repository, family, credentials, credentialsSource: credentialsSource(family) };
    }
  }
}

/** Where bentoctl takes a family's credentials from, as error messages name it. */
export function credentialsSource(family: RegistryFamily): string {
  switch (family) {
    case 'ecr':
      return 'an ECR login with the AWS default credentials';
    case 'artifact-registry':
      return 'Google Application Default Credentials';
    case 'acr':
      return `${ACR_ADMIN_ENV.username}/${ACR_ADMIN_ENV.password}, else an Entra ID token exchanged with ACR`;
    case 'docker-config':
      return 'the Docker config';
  }
}
