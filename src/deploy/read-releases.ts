/**
 * Reads a deployment's release history from its state backend, from any folder: a fresh CI
 * runner has the config and credentials, not the generated stack (which needs the image) nor the
 * providers (a download of hundreds of MB). So the history is read through a stack of its own,
 * `.bentoctl/<name>/state-reader/`, holding only the backend block: `terraform init` there
 * configures the backend and installs nothing, and `terraform output -json` reads the state.
 * It has its own TF_DATA_DIR, so it never disturbs the deployment stack's initialised backend.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { DeploymentPaths } from '../config/deployment-paths.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { StateConfig } from '../config/state-schema.js';
import { STACK_FILE } from '../stack-file.js';
import type { TerraformBinary } from '../terraform/binary.js';
import type { TerraformOutputs } from '../terraform/outputs.js';
import { TerraformRunner, type SignalSource } from '../terraform/runner.js';
import { Terraform } from '../terraform/terraform.js';
import { stableJson } from '../targets/stable-json.js';
import type { Release } from './deployment-records.js';
import { historyFromOutputs } from './release-stack-file.js';
import { releaseStack } from './deployment-stacks.js';

export interface ReadReleasesOptions {
  readonly binary: TerraformBinary;
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Stream terraform's output (a terminal). @default false */
  readonly stream?: boolean;
  readonly progress?: (line: string) => void;
  /** Forwards stop signals to terraform (bentoctl's interrupt handling). @default - none */
  readonly interrupts?: SignalSource;
}

/** The history, oldest first; empty when nothing was ever recorded. */
export async function readReleases(
  config: ResolvedConfig,
  paths: DeploymentPaths,
  options: ReadReleasesOptions,
): Promise<Release[]> {
  return historyFromOutputs(await readStateOutputs(config, paths, options));
}

/** Every root output in the deployment's state (the history among them), read as above. */
export async function readStateOutputs(
  config: ResolvedConfig,
  paths: DeploymentPaths,
  options: ReadReleasesOptions,
): Promise<TerraformOutputs> {
  const dir = join(paths.root, 'state-reader');
  mkdirSync(dir, { recursive: true });
  // Several stacks: the last one holds the history and the target's outputs.
  const stack = releaseStack(config, paths);
  writeFileSync(
    join(dir, STACK_FILE),
    stableJson({ terraform: { backend: backendBlock(config.name, stack.state, stack.dir) } }),
  );
  const terraform = new Terraform(
    new TerraformRunner({
      binary: options.binary,
      stream: options.stream ?? false,
      env: { ...(options.env ?? process.env), TF_DATA_DIR: join(dir, '.terraform') },
      ...(options.interrupts === undefined ? {} : { interrupts: options.interrupts }),
    }),
  );
  options.progress?.(`terraform init (state backend ${config.state.backend})`);
  await terraform.init(dir);
  return terraform.outputs(dir);
}

/**
 * The `terraform.backend` block `generate` writes for `state` (src/targets/synth-stack.ts; a test
 * holds the two equal), with a relative local path made absolute, since it is relative to the
 * stack folder and this block is used from another one.
 */
export function backendBlock(
  deployment: string,
  state: StateConfig,
  stackDir: string,
): Record<string, Record<string, unknown>> {
  switch (state.backend) {
    case 'local': {
      const path = state.path ?? 'terraform.tfstate';
      return { local: { path: isAbsolute(path) ? path : resolve(stackDir, path) } };
    }
    case 's3':
      return {
        s3: {
          bucket: state.bucket,
          key: state.key ?? `bentoctl/${deployment}/terraform.tfstate`,
          region: state.region,
          encrypt: state.encrypt,
          use_lockfile: state.use_lockfile,
          ...(state.dynamodb_table !== undefined ? { dynamodb_table: state.dynamodb_table } : {}),
        },
      };
    case 'gcs':
      return {
        gcs: { bucket: state.bucket, prefix: state.prefix ?? `bentoctl/${deployment}` },
      };
    case 'azurerm':
      return {
        azurerm: {
          resource_group_name: state.resource_group_name,
          storage_account_name: state.storage_account_name,
          container_name: state.container_name,
          key: state.key ?? `bentoctl/${deployment}.tfstate`,
        },
      };
  }
}
