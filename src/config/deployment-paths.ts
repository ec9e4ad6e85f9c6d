/**
 * Where a deployment keeps its local files: `./.bentoctl/<name>/` under the folder bentoctl runs
 * in. `build` writes the pushed digest there, `generate` the Terraform stack, `apply` its lock.
 */
import { join, resolve } from 'node:path';

export interface DeploymentPaths {
  /** `.bentoctl/<name>` */
  readonly root: string;
  /** The synthesized Terraform JSON stack (the folder terraform runs in). */
  readonly stack: string;
  /** JSON record of the last pushed image (repository, digest, bento version). */
  readonly buildRecord: string;
  /** Held while a terraform command runs on this deployment. */
  readonly lock: string;
}

export function deploymentPaths(name: string, cwd: string = process.cwd()): DeploymentPaths {
  const root = resolve(cwd, '.bentoctl', name);
  return {
    root,
    stack: join(root, 'stack'),
    buildRecord: join(root, 'build.json'),
    lock: join(root, 'apply.lock'),
  };
}
