/**
 * Where a deployment keeps its local files: `<folder of the config>/.bentoctl/<name>/`, so the
 * same commands find the same records from any working directory. `build` writes the pushed
 * digest there, `generate` the Terraform stack, `apply` its record and its lock.
 *
 * `BENTOCTL_STATE_DIR` replaces the `<folder of the config>/.bentoctl` part (not the
 * `<name>` under it): with `BENTOCTL_STATE_DIR=/var/lib/bentoctl` the deployment `iris-prod`
 * keeps its files in `/var/lib/bentoctl/iris-prod/`. A relative value is taken from the current
 * directory. The bento store (`BENTOCTL_HOME`, `~/.bentoctl`) is another folder and unaffected.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { errors } from '../errors/index.js';

/** The variable that moves every deployment folder to `$BENTOCTL_STATE_DIR/<name>/`. */
export const STATE_DIR_ENV = 'BENTOCTL_STATE_DIR';

/** The folder name beside the config that holds one subfolder per deployment. */
export const STATE_FOLDER = '.bentoctl';

export interface DeploymentPaths {
  /** `<config folder>/.bentoctl/<name>`, or `$BENTOCTL_STATE_DIR/<name>` */
  readonly root: string;
  /** The synthesized Terraform JSON stack (the folder terraform runs in). */
  readonly stack: string;
  /** JSON record of the last pushed image (repository, digest, bento version). */
  readonly buildRecord: string;
  /** Held while a terraform command runs on this deployment. */
  readonly lock: string;
}

/** The config fields that locate its deployment folder. */
export interface DeploymentLocation {
  readonly name: string;
  readonly source: { readonly dir: string };
}

export interface LocateOptions {
  /** @default process.cwd() */
  readonly cwd?: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** The folder holding every deployment folder: `$BENTOCTL_STATE_DIR`, else `<configDir>/.bentoctl`. */
export function stateRoot(configDir: string, options: LocateOptions = {}): string {
  const override = (options.env ?? process.env)[STATE_DIR_ENV];
  if (override !== undefined && override !== '') {
    return resolve(options.cwd ?? process.cwd(), override);
  }
  return resolve(configDir, STATE_FOLDER);
}

/** The files of deployment `name` whose config lives in `configDir`. */
export function deploymentPaths(
  name: string,
  configDir: string,
  options: LocateOptions = {},
): DeploymentPaths {
  const root = join(stateRoot(configDir, options), name);
  return {
    root,
    stack: join(root, 'stack'),
    buildRecord: join(root, 'build.json'),
    lock: join(root, 'apply.lock'),
  };
}

/**
 * The files of a loaded config's deployment. Earlier bentoctl kept them under the current
 * directory; a `./.bentoctl/<name>/` left there, with nothing beside the config yet, is refused
 * (DEPLOYMENT_DIR_ELSEWHERE), so no command carries on as if nothing had been built or
 * applied. Once the folder beside the config exists, it alone is read.
 */
export function deploymentPathsOf(
  config: DeploymentLocation,
  options: LocateOptions = {},
): DeploymentPaths {
  const paths = deploymentPaths(config.name, config.source.dir, options);
  const override = (options.env ?? process.env)[STATE_DIR_ENV];
  if (override === undefined || override === '') {
    const legacy = resolve(options.cwd ?? process.cwd(), STATE_FOLDER, config.name);
    if (existsSync(legacy) && !existsSync(paths.root)) {
      throw errors.deploymentDirElsewhere(config.name, legacy, paths.root);
    }
  }
  return paths;
}
