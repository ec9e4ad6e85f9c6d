/**
 * Defaults that depend on other fields (the deployment name), applied after validation so that
 * `bentoctl validate` shows the values Terraform will really get.
 */
import type { DeploymentConfigData } from './schema.js';
import type { StateConfig } from './state-schema.js';

export function applyDerivedDefaults(config: DeploymentConfigData): DeploymentConfigData {
  return { ...config, state: stateWithDefaults(config.state, config.name) };
}

function stateWithDefaults(state: StateConfig, name: string): StateConfig {
  switch (state.backend) {
    case 'local':
      return state;
    case 's3':
      return { ...state, key: state.key ?? `bentoctl/${name}/terraform.tfstate` };
    case 'gcs':
      return { ...state, prefix: state.prefix ?? `bentoctl/${name}` };
    case 'azurerm':
      return { ...state, key: state.key ?? `bentoctl/${name}.tfstate` };
  }
}
