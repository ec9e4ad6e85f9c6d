/**
 * Defaults that depend on other fields (the deployment name, target and region), applied after
 * validation so that `bentoctl validate` shows the values Terraform will really get.
 */
import type { DeploymentConfigData } from './schema.js';
import type { StateConfig } from './state-schema.js';

/**
 * `scope` is the target's `stateScope` (its region): the default key holds the target, the
 * scope and the name, so two deployments of one name in two regions or targets never share
 * (and overwrite) one state.
 */
export function applyDerivedDefaults(
  config: DeploymentConfigData,
  scope: string,
): DeploymentConfigData {
  return { ...config, state: stateWithDefaults(config.state, defaultStateFolder(config, scope)) };
}

/** `bentoctl/<target>/<scope>/<name>`: the folder of the default state key. */
export function defaultStateFolder(
  config: Pick<DeploymentConfigData, 'target' | 'name'>,
  scope: string,
): string {
  return `bentoctl/${config.target}/${scope}/${config.name}`;
}

/** `state` with its default key (or prefix) in `folder`; a local state is unchanged. */
export function stateWithDefaults(state: StateConfig, folder: string): StateConfig {
  switch (state.backend) {
    case 'local':
      return state;
    case 's3':
      return { ...state, key: state.key ?? `${folder}/terraform.tfstate` };
    case 'gcs':
      return { ...state, prefix: state.prefix ?? folder };
    case 'azurerm':
      return { ...state, key: state.key ?? `${folder}.tfstate` };
  }
}
