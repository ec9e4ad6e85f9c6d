/**
 * `bentoctl rollback`: which earlier release to restore. The rollback itself is an ordinary
 * apply (the same plan, summary, confirmation and apply) of the stack generated with that
 * release's exact image digest and today's config, recorded as a rollback (apply-deployment.ts).
 */
import { errors } from '../errors/index.js';
import type { Release } from './deployment-records.js';
import { generatedStackWriter } from './generated-stack.js';
import type { OpenedRun } from './open-run.js';
import {
  lifecycleFromOutputs,
  refuseIfTerminated,
  type LifecycleRecord,
} from './lifecycle-state.js';
import { readStateOutputs } from './read-releases.js';
import { historyFromOutputs } from './release-stack-file.js';
import { currentRelease } from './release-history.js';

export interface RollbackRun {
  /** The release whose image is restored. */
  readonly to: Release;
  /** The run, now generating the stack pinned to that image. */
  readonly opened: OpenedRun;
}

/**
 * The release history in the state of an opened run (rollback, terminate and restore read it
 * before anything is planned), reported to its interrupts as the step in progress.
 */
export async function readOpenedHistory(opened: OpenedRun): Promise<readonly Release[]> {
  return (await readOpenedState(opened)).history;
}

/** The release history and the lifecycle record in the state of an opened run, as above. */
export async function readOpenedState(opened: OpenedRun): Promise<{
  readonly history: readonly Release[];
  readonly lifecycle: LifecycleRecord | undefined;
}> {
  const { run, interrupts } = opened;
  interrupts.doing(`the release history read of ${run.config.name}`, ['nothing was applied']);
  const outputs = await readStateOutputs(run.config, run.paths, {
    binary: run.terraform.binary,
    stream: opened.stream,
    progress: run.progress,
    interrupts,
  });
  return { history: historyFromOutputs(outputs), lifecycle: lifecycleFromOutputs(outputs) };
}

/**
 * Reads the release history from the state (so a fresh CI runner can roll back), chooses the
 * release (chooseRollback) and points the run's stack writer at its exact image.
 */
export async function prepareRollback(opened: OpenedRun, to?: number): Promise<RollbackRun> {
  const { run, interrupts } = opened;
  const { config } = run;
  const { history, lifecycle } = await readOpenedState(opened);
  // Before anything is generated: the plan would refuse it later, after the stack and an init.
  refuseIfTerminated(
    { command: 'rollback', deployment: config.name, configFile: opened.configFile },
    lifecycle,
  );
  const release = chooseRollback(config.name, history, to);
  const image = releaseImage(release);
  run.progress(
    `Rolling ${config.name} back to release ${release.number} (${release.recorded_at}, bento ${release.bento_version ?? 'unknown'}): ${image}`,
  );
  interrupts.doing(`rollback of ${config.name}`);
  return {
    to: release,
    opened: { ...opened, image, run: { ...run, writeStack: generatedStackWriter(image) } },
  };
}

/**
 * `--to <number>`, else the newest release before the current one that ran another image
 * (one that only changed the config would restore the image already running).
 */
export function chooseRollback(
  deployment: string,
  history: readonly Release[],
  to?: number,
): Release {
  const current = currentRelease(history);
  if (current === undefined) {
    throw errors.releaseNotFound(
      deployment,
      'its state records no release yet (apply records one each time what runs changes)',
    );
  }
  if (to !== undefined) {
    const chosen = history.find((release) => release.number === to);
    if (chosen === undefined) {
      throw errors.releaseNotFound(
        deployment,
        `release ${to} is not in its history, which holds ${history.map((release) => release.number).join(', ')}`,
      );
    }
    if (chosen.number === current.number)
      throw errors.releaseNotFound(deployment, `release ${to} is the current release`);
    if (chosen.image_digest === null || chosen.image_repository === null) {
      throw errors.releaseNotFound(
        deployment,
        `release ${to} recorded no image digest, so its image cannot be restored exactly`,
      );
    }
    return chosen;
  }
  const earlier = history
    .slice(0, -1)
    .reverse()
    .find(
      (release) =>
        release.image_digest !== null &&
        release.image_repository !== null &&
        release.image_digest !== current.image_digest,
    );
  if (earlier === undefined) {
    throw errors.releaseNotFound(
      deployment,
      `no release before the current one (${current.number}) ran another image`,
    );
  }
  return earlier;
}

/** `repository@digest` of a release chosen by chooseRollback. */
export function releaseImage(release: Release): string {
  return `${release.image_repository ?? ''}@${release.image_digest ?? ''}`;
}
