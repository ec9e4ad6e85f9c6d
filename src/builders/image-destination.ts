/**
 * Where `build --push` sends the image: `--registry <host>/<deployment>`, else
 * `image.repository`, else the target's registry named after the deployment. ECR's default
 * needs the account id, which only the login tells, so it stays open until the push. An
 * azure-aks deployment's own ACR carries what creating it takes (group, location, SKU, tags),
 * which only the config knows.
 */
import type { ResolvedConfig } from '../config/resolved-config.js';
import { errors } from '../errors/index.js';
import { aksNames, defaultAksImageRepository } from '../targets/azure-aks/names.js';
import { ACR_SKU } from '../targets/azure-aks/registry-settings.js';
import type { AzureAksSpec } from '../targets/azure-aks/spec.js';
import { defaultCloudRunImageRepository } from '../targets/google-cloud-run/names.js';
import type { CloudRunSpec } from '../targets/google-cloud-run/spec.js';
import { getTarget } from '../targets/registry.js';
import { deploymentLabels } from '../targets/stack-labels.js';
import type { AcrRegistryContext } from './registry-auth/acr-registry.js';

export type ImageDestination =
  | {
      readonly kind: 'repository';
      readonly repository: string;
      readonly source: 'flag' | 'config' | 'target-default';
      /**
       * Set when the repository is in the registry the deployment's own stack declares
       * (azure-aks): the push creates the registry when missing, the stack then imports it.
       */
      readonly acrRegistry?: AcrRegistryContext;
    }
  | {
      /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`, the account from the ECR login. */
      readonly kind: 'ecr-default';
      readonly region: string;
      readonly name: string;
      readonly source: 'target-default';
    };

/** `host[:port][/path]`, no scheme, no tag. */
const REGISTRY_FLAG =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d{1,5})?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

export function imageDestination(config: ResolvedConfig, registryFlag?: string): ImageDestination {
  if (registryFlag !== undefined) {
    const registry = registryFlag.replace(/\/+$/, '');
    if (!REGISTRY_FLAG.test(registry)) {
      throw errors.flagInvalid(
        'registry',
        registryFlag,
        'a registry host with an optional path, e.g. registry.example.com:5000/team (no https://)',
      );
    }
    return withAcrRegistry(config, {
      kind: 'repository',
      repository: `${registry}/${config.name}`,
      source: 'flag',
    });
  }
  if (config.image.repository !== undefined) {
    return { kind: 'repository', repository: config.image.repository, source: 'config' };
  }
  return withAcrRegistry(config, targetDefault(config));
}

/**
 * The azure-aks stack declares the registry (and its resource group) only when `image:` names
 * no repository, and adopts them when the image is in `<acr>.azurecr.io/<name>`: exactly then
 * the push creates what is missing, so the import blocks find it.
 */
function withAcrRegistry(config: ResolvedConfig, destination: ImageDestination): ImageDestination {
  if (
    destination.kind !== 'repository' ||
    getTarget(config.target).registry !== 'acr' ||
    config.image.repository !== undefined
  ) {
    return destination;
  }
  const spec = config.spec as unknown as AzureAksSpec;
  if (destination.repository !== defaultAksImageRepository(config.name, spec)) return destination;
  const names = aksNames(config.name, spec);
  return {
    ...destination,
    acrRegistry: {
      ...(spec.subscription_id === undefined ? {} : { subscriptionId: spec.subscription_id }),
      resourceGroup: names.resourceGroup,
      location: spec.location,
      name: names.registry,
      sku: ACR_SKU,
      // The first apply sets the stack's full tags (bento name and version too).
      tags: { ...spec.tags, ...deploymentLabels(config.name) },
    },
  };
}

/** The repository a config pushes to by default (the ECR one with its account left open). */
export function targetDefault(config: ResolvedConfig): ImageDestination {
  switch (getTarget(config.target).registry) {
    case 'ecr':
      return {
        kind: 'ecr-default',
        region: String(config.spec.region),
        name: config.name,
        source: 'target-default',
      };
    case 'artifact-registry':
      return {
        kind: 'repository',
        repository: defaultCloudRunImageRepository(
          config.spec as unknown as Pick<CloudRunSpec, 'project' | 'region'>,
          config.name,
        ),
        source: 'target-default',
      };
    case 'acr':
      return {
        kind: 'repository',
        repository: defaultAksImageRepository(
          config.name,
          config.spec as unknown as Pick<AzureAksSpec, 'acr_name'>,
        ),
        source: 'target-default',
      };
  }
}

export function describeDestination(destination: ImageDestination): string {
  return destination.kind === 'repository'
    ? destination.repository
    : `<aws-account-id>.dkr.ecr.${destination.region}.amazonaws.com/${destination.name}`;
}

/** The repository a push would go to, when it is known before logging in (not ECR's default). */
export function knownRepository(destination: ImageDestination): string | null {
  return destination.kind === 'repository' ? destination.repository : null;
}
