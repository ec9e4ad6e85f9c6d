/**
 * The state of each stack of a target that has several (`TargetDefinition.stacks`): the
 * deployment's state location with the stack's name added as its last folder, so the stacks
 * never share a state and a config written for one stack keeps its key scheme:
 *
 * | backend | one stack                        | stack `cluster`                              |
 * |---------|----------------------------------|----------------------------------------------|
 * | s3      | `<folder>/terraform.tfstate`     | `<folder>/cluster/terraform.tfstate`         |
 * | gcs     | `<folder>`                       | `<folder>/cluster`                           |
 * | azurerm | `<folder>.tfstate`               | `<folder>/cluster.tfstate`                   |
 * | local   | `terraform.tfstate` in the stack | `terraform.tfstate` in the stack's own folder; a `path` gets the name as for azurerm |
 *
 * Also the `terraform_remote_state` data source a later stack reads an earlier one's outputs
 * with, on exactly that state.
 */
import { posix } from 'node:path';
import {
  DataTerraformRemoteStateAzurerm,
  DataTerraformRemoteStateGcs,
  DataTerraformRemoteStateLocal,
  DataTerraformRemoteStateS3,
  type TerraformRemoteState,
} from 'cdktf';
import type { Construct } from 'constructs';
import { stateWithDefaults } from '../config/derived-defaults.js';
import type { StateConfig } from '../config/state-schema.js';

/** `state` (defaults from `folder`, the default state folder) for the stack named `part`. */
export function stackState(state: StateConfig, folder: string, part: string): StateConfig {
  const full = stateWithDefaults(state, folder);
  switch (full.backend) {
    case 'local':
      if (full.path === undefined) return full;
      // A relative path is relative to the deployment's stack folder, one level up from here.
      return {
        ...full,
        path: posix.isAbsolute(full.path)
          ? withPart(full.path, part)
          : `../${withPart(full.path, part)}`,
      };
    case 's3': {
      const key = full.key ?? `${folder}/terraform.tfstate`;
      const dir = posix.dirname(key);
      return {
        ...full,
        key: dir === '.' ? `${part}/${key}` : `${dir}/${part}/${posix.basename(key)}`,
      };
    }
    case 'gcs':
      return { ...full, prefix: `${full.prefix ?? folder}/${part}` };
    case 'azurerm':
      return { ...full, key: withPart(full.key ?? `${folder}.tfstate`, part) };
  }
}

/** `a/b.tfstate` → `a/b/<part>.tfstate`; a name without the extension gets `/<part>`. */
function withPart(file: string, part: string): string {
  return file.endsWith('.tfstate')
    ? `${file.slice(0, -'.tfstate'.length)}/${part}.tfstate`
    : `${file}/${part}`;
}

/**
 * A `terraform_remote_state` data source on `state` (a stack's state from `stackState`), read
 * from a sibling stack folder: a relative local path is the same from there.
 */
export function remoteStateOf(
  scope: Construct,
  id: string,
  state: StateConfig,
  part: string,
): TerraformRemoteState {
  switch (state.backend) {
    case 'local':
      return new DataTerraformRemoteStateLocal(scope, id, {
        path: state.path ?? `../${part}/terraform.tfstate`,
      });
    case 's3':
      return new DataTerraformRemoteStateS3(scope, id, {
        bucket: state.bucket,
        key: state.key ?? '',
        region: state.region,
        ...(state.dynamodb_table !== undefined ? { dynamodbTable: state.dynamodb_table } : {}),
      });
    case 'gcs':
      return new DataTerraformRemoteStateGcs(scope, id, {
        bucket: state.bucket,
        prefix: state.prefix ?? '',
      });
    case 'azurerm':
      return new DataTerraformRemoteStateAzurerm(scope, id, {
        resourceGroupName: state.resource_group_name,
        storageAccountName: state.storage_account_name,
        containerName: state.container_name,
        key: state.key ?? '',
      });
  }
}
