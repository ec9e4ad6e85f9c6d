/**
 * What is known locally about each deployment folder (`.bentoctl/<name>/` beside its config, or
 * `$BENTOCTL_STATE_DIR/<name>/`): the last apply (target,
 * endpoint, time), the last pushed image (build record) and whether a stack was generated.
 * Reading files only, so `bentoctl list` needs no terraform and no credentials.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  deploymentPaths,
  stateRoot,
  type DeploymentPaths,
  type LocateOptions,
} from '../config/deployment-paths.js';
import { BentoctlError } from '../errors/index.js';
import { readApplyRecord, readBuildRecord, type BuildRecord } from './deployment-records.js';
import { STACK_FILE } from '../stack-file.js';

export interface DeploymentStatus {
  readonly name: string;
  readonly target: string | null;
  readonly bentoVersion: string | null;
  /** The digest the deployment runs (last apply), else the last pushed one. */
  readonly imageDigest: string | null;
  readonly imageRepository: string | null;
  readonly endpoint: string | null;
  /** ISO 8601 time of the last successful apply. */
  readonly lastAppliedAt: string | null;
  /** The digest of the last push (build record). */
  readonly builtDigest: string | null;
  /** The last pushed digest differs from the applied one: an apply is pending. */
  readonly newerImageBuilt: boolean;
  readonly stackGenerated: boolean;
  /** The config file the last apply used. */
  readonly configFile: string | null;
}

/**
 * Every deployment folder of the configs in `configDir` (`<configDir>/.bentoctl/`, or
 * `$BENTOCTL_STATE_DIR`), sorted by name.
 */
export function listDeployments(
  configDir: string = process.cwd(),
  options: LocateOptions = {},
): DeploymentStatus[] {
  const root = stateRoot(configDir, options);
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => deploymentStatus(entry.name, deploymentPaths(entry.name, configDir, options)))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** What the deployment folder `paths` records about deployment `name`. */
export function deploymentStatus(name: string, paths: DeploymentPaths): DeploymentStatus {
  const applied = readApplyRecord(paths);
  const built = tryReadBuildRecord(paths.buildRecord);
  const endpoint = applied?.outputs.endpoint;
  return {
    name,
    target: applied?.target ?? null,
    bentoVersion: applied?.bento_version ?? built?.bento_version ?? built?.tag ?? null,
    imageDigest: applied?.image?.digest ?? built?.digest ?? null,
    imageRepository: applied?.image?.repository ?? built?.repository ?? null,
    endpoint: typeof endpoint === 'string' ? endpoint : null,
    lastAppliedAt: applied?.applied_at ?? null,
    builtDigest: built?.digest ?? null,
    newerImageBuilt:
      applied?.image != null && built !== undefined && built.digest !== applied.image.digest,
    stackGenerated: existsSync(join(paths.stack, STACK_FILE)),
    configFile: applied?.config_file ?? null,
  };
}

/** A broken build record must not hide the other deployments from `list`. */
function tryReadBuildRecord(file: string): BuildRecord | undefined {
  try {
    return readBuildRecord(file);
  } catch (cause) {
    if (cause instanceof BentoctlError) return undefined;
    throw cause;
  }
}
