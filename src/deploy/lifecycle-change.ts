/**
 * `bentoctl terminate` and `restore` as library calls. Each is an apply (the same plan, summary,
 * confirmation and lock) of the stack generated in its lifecycle shape and pinned to the image
 * of the current release, so a terminate never ships a newer build and a restore brings back
 * exactly what ran; the plan also writes the lifecycle record into the state
 * (lifecycle-state.ts), which is what makes a later plain apply refuse.
 */
import type { SignalSource } from '../terraform/runner.js';
import { discoverTerraform } from '../terraform/binary.js';
import type { Approval } from './deployment-run.js';
import { deploymentPathsOf } from '../config/deployment-paths.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { applyDeployment, type AppliedDeployment } from './apply-deployment.js';
import type { Release } from './deployment-records.js';
import type { LifecycleRecord } from './lifecycle-state.js';
import { openRun } from './open-run.js';
import { readReleases } from './read-releases.js';
import { currentRelease } from './release-history.js';
import { releaseImage } from './rollback.js';

export interface LifecycleChangeOptions {
  readonly config: ResolvedConfig;
  readonly change: 'terminate' | 'restore';
  /** Decides from the plan shown; built by the command (approval.ts). */
  readonly approval: Approval;
  /** Stream terraform's output. */
  readonly stream: boolean;
  /** Generate the stack in its lifecycle shape first. @default true */
  readonly generate?: boolean;
  readonly progress: (line: string) => void;
  readonly interrupts?: SignalSource;
}

export interface LifecycleChanged {
  readonly applied: AppliedDeployment;
  /** The release whose image the stack pins; undefined when none is recorded (the build record's). */
  readonly release: Release | undefined;
  /** The lifecycle record now in the state. */
  readonly lifecycle: LifecycleRecord | undefined;
}

export async function changeLifecycle(options: LifecycleChangeOptions): Promise<LifecycleChanged> {
  const { config, change, progress } = options;
  const history = await readReleases(config, deploymentPathsOf(config), {
    binary: await discoverTerraform(),
    stream: options.stream,
    progress,
    ...(options.interrupts === undefined ? {} : { interrupts: options.interrupts }),
  });
  const release = currentRelease(history);
  const pinned =
    release?.image_digest != null && release.image_repository !== null
      ? releaseImage(release)
      : undefined;
  progress(
    `${change === 'terminate' ? 'Terminating' : 'Restoring'} ${config.name}${release === undefined ? '' : ` at release ${release.number}`}${pinned === undefined ? '' : `: ${pinned}`}`,
  );
  const run = await openRun({
    configFile: config.source.file,
    stream: options.stream,
    skipGenerate: options.generate === false,
    ...(pinned === undefined ? {} : { image: pinned }),
    lifecycle: { terminated: change === 'terminate', restoring: change === 'restore' },
    progress,
    ...(options.interrupts === undefined ? {} : { interrupts: options.interrupts }),
  });
  const applied = await applyDeployment(run, options.approval, { lifecycle: change });
  return { applied, release, lifecycle: applied.lifecycle };
}
