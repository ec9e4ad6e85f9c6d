/**
 * `bentoctl terminate` and `restore` after the run is opened. Each is an apply (the same plan,
 * summary, confirmation and lock) of the stack generated in its lifecycle shape and pinned to the
 * image of the current release, so a terminate never ships a newer build and a restore brings
 * back exactly what ran; the plan also writes the lifecycle record into the state
 * (lifecycle-state.ts), which is what makes a later plain apply refuse.
 */
import type { PlanSummary } from '../terraform/plan-summary.js';
import type { AppliedDeployment } from './apply-deployment.js';
import type { Release } from './deployment-records.js';
import { generatedStackWriter } from './generated-stack.js';
import type { LifecycleRecord } from './lifecycle-state.js';
import { openDeploymentRun, type OpenDeploymentRunOptions, type OpenedRun } from './open-run.js';
import { currentRelease } from './release-history.js';
import { readOpenedHistory, releaseImage } from './rollback.js';

export type LifecycleChange = 'terminate' | 'restore';

export interface LifecycleRun {
  /** The release whose image the stack pins; undefined when none is recorded (the build record's). */
  readonly release: Release | undefined;
  /** The run, now generating the stack in the lifecycle shape, pinned to that image. */
  readonly opened: OpenedRun;
}

/** What `bentoctl terminate` returns for --json; `restore` adds its readiness check. */
export interface LifecycleResult {
  readonly deployment: string;
  readonly target: string;
  /** False when the plan had no changes. */
  readonly applied: boolean;
  readonly summary: PlanSummary;
  /** The lifecycle record in the Terraform state now. */
  readonly lifecycle: LifecycleRecord | null;
  /** The release whose image the stack pins; null when none is recorded. */
  readonly release: number | null;
}

/** The result of a lifecycle change once applied: the deployment, what applied, the release pinned. */
export function lifecycleResult(
  changed: LifecycleRun,
  applied: Pick<AppliedDeployment, 'applied' | 'summary' | 'lifecycle'>,
): LifecycleResult {
  const { config } = changed.opened.run;
  return {
    deployment: config.name,
    target: config.target,
    applied: applied.applied,
    summary: applied.summary,
    lifecycle: applied.lifecycle ?? null,
    release: changed.release?.number ?? null,
  };
}

/** Opens the run of `bentoctl terminate` or `restore` and prepares it (below). */
export async function openLifecycleChange(
  change: LifecycleChange,
  options: Omit<OpenDeploymentRunOptions, 'command'>,
): Promise<LifecycleRun> {
  return prepareLifecycleChange(await openDeploymentRun({ ...options, command: change }), change);
}

/**
 * Reads the release history from the state (so a fresh CI runner can terminate or restore) and
 * points the run's stack writer at the current release's image, in `change`'s shape.
 * With --no-generate the stack already generated is applied as it is.
 */
export async function prepareLifecycleChange(
  opened: OpenedRun,
  change: LifecycleChange,
): Promise<LifecycleRun> {
  const { run, interrupts } = opened;
  const { config } = run;
  const history = await readOpenedHistory(opened);
  const release = currentRelease(history);
  const pinned =
    release?.image_digest != null && release.image_repository !== null
      ? releaseImage(release)
      : opened.image;
  run.progress(
    `${change === 'terminate' ? 'Terminating' : 'Restoring'} ${config.name}${release === undefined ? '' : ` at release ${release.number}`}${pinned === undefined ? '' : `: ${pinned}`}`,
  );
  interrupts.doing(`${change} of ${config.name}`);
  const lifecycle = { terminated: change === 'terminate', restoring: change === 'restore' };
  return {
    release,
    opened: {
      ...opened,
      image: pinned,
      run: {
        ...run,
        writeStack:
          run.writeStack === undefined ? undefined : generatedStackWriter(pinned, lifecycle),
      },
    },
  };
}
