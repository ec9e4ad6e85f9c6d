/**
 * `bentoctl release promote` and `release abort`: the same plan → summary → confirm → apply as
 * `apply`, with the stack generated from the candidate release's own image and today's config
 * (so it names the candidate's revision), and only the traffic split changed: promote gives the
 * candidate everything, abort gives the stable revision everything back. Where the platform
 * moves traffic itself (aws-ecs, rolling) there is nothing to apply, which is said before any
 * plan runs.
 */
import type { ResolvedConfig } from '../config/resolved-config.js';
import { deploymentPathsOf } from '../config/deployment-paths.js';
import { errors } from '../errors/index.js';
import type { TerraformBinary } from '../terraform/binary.js';
import type { SignalSource } from '../terraform/runner.js';
import { applyDeployment, type AppliedDeployment } from './apply-deployment.js';
import type { Approval } from './deployment-run.js';
import { lifecycleFromOutputs, refuseIfTerminated } from './lifecycle-state.js';
import { openRun } from './open-run.js';
import { readStateOutputs } from './read-releases.js';
import type { Release } from './deployment-records.js';
import { historyFromOutputs, trafficFromOutputs } from './release-stack-file.js';
import { releaseImage } from './rollback.js';
import { platformApproves } from '../targets/registry.js';
import { bakeMinutesLeft, type TrafficState } from './traffic-state.js';
import type { ExpectedRevision } from './wait-ready.js';

export interface MoveTrafficOptions {
  readonly config: ResolvedConfig;
  readonly action: 'promote' | 'abort';
  readonly binary: TerraformBinary;
  readonly approval: Approval;
  /** Stream terraform's output (a terminal). */
  readonly stream: boolean;
  readonly progress: (line: string) => void;
  readonly interrupts?: SignalSource;
  /** Promote a canary before its bake time is over. @default false */
  readonly skipBake?: boolean;
  /** Apply the stack already in `.bentoctl/<name>/stack` instead of generating it. @default false */
  readonly skipGenerate?: boolean;
  /**
   * The candidate revision the caller checked (`--after-bake`): another one in the state is
   * refused, since nobody checked it. @default - any
   */
  readonly checkedCandidate?: string;
}

export interface MovedTraffic {
  readonly applied: AppliedDeployment;
  /** The traffic before the move, as the state had it. */
  readonly before: TrafficState;
  /** The release that now takes all traffic (null when none was recorded for it). */
  readonly serving: Release | null;
  /** What the endpoint must answer from after the move. */
  readonly expected: ExpectedRevision;
}

export async function moveTraffic(options: MoveTrafficOptions): Promise<MovedTraffic> {
  const { config, action } = options;
  const outputs = await readStateOutputs(config, deploymentPathsOf(config), {
    binary: options.binary,
    stream: options.stream,
    progress: options.progress,
    ...(options.interrupts === undefined ? {} : { interrupts: options.interrupts }),
  });
  // A terminated deployment serves nothing to move; restore brings it back first.
  refuseIfTerminated(
    {
      command: action === 'promote' ? 'release promote' : 'release abort',
      deployment: config.name,
      configFile: config.source.file,
    },
    lifecycleFromOutputs(outputs),
  );
  const before = trafficFromOutputs(outputs);
  if (before === undefined || config.release.strategy === 'rolling') {
    throw errors.releaseMovedByPlatform(config.name, config.target, config.release.strategy);
  }
  if (options.checkedCandidate !== undefined) {
    assertCheckedCandidate(config.name, action, before, options.checkedCandidate);
  }
  if (before.phase !== 'canary' && before.phase !== 'waiting') {
    throw errors.releaseNotInProgress(config.name, action, before.phase);
  }
  // Said before anything is generated or planned, like the other refusals above.
  const left = bakeMinutesLeft(before);
  if (action === 'promote' && before.phase === 'canary' && left > 0 && options.skipBake !== true) {
    throw errors.releaseBaking(config.name, before.percent, left);
  }
  const history = historyFromOutputs(outputs);
  const find = (number: number | null) =>
    number === null ? null : (history.find((release) => release.number === number) ?? null);
  const candidate = find(before.candidate_release);
  const serving = action === 'promote' ? candidate : find(before.stable_release);
  // Generated from the candidate's own image, the stack names the candidate's revision even on
  // a fresh runner without the build record; today's config must still make that revision.
  // Where the platform rolls a rejected candidate back itself (aws-ecs blue-green), an abort
  // applies the stable release's image instead, so the state names what runs after it.
  const rollsBack = action === 'abort' && platformApproves(config.target, config.release.strategy);
  const pinned = rollsBack ? serving : candidate;
  const image =
    pinned?.image_digest != null && pinned.image_repository !== null
      ? releaseImage(pinned)
      : undefined;
  options.progress(
    action === 'promote'
      ? `Promoting ${config.name}: all traffic to revision ${before.candidate_revision ?? '?'}${candidate === null ? '' : ` (release ${candidate.number})`}`
      : `Aborting the candidate of ${config.name}: all traffic back to revision ${before.stable_revision}${serving === null ? '' : ` (release ${serving.number})`}`,
  );
  const run = await openRun({
    command: action === 'promote' ? 'release promote' : 'release abort',
    configFile: config.source.file,
    stream: options.stream,
    skipGenerate: options.skipGenerate ?? false,
    ...(image === undefined ? {} : { image }),
    progress: options.progress,
    ...(options.interrupts === undefined ? {} : { interrupts: options.interrupts }),
  });
  const applied = await applyDeployment(run, options.approval, {
    traffic: action,
    ...(options.skipBake === undefined ? {} : { skipBake: options.skipBake }),
  });
  return {
    applied,
    before,
    serving,
    expected: {
      ...(serving?.image_digest == null ? {} : { imageDigest: serving.image_digest }),
      ...(serving?.bento_version == null ? {} : { bentoVersion: serving.bento_version }),
    },
  };
}

/**
 * Refuses a move of another candidate than the one checked: the state changed between the
 * check and this move (an apply started a new candidate, or a release command settled it).
 */
export function assertCheckedCandidate(
  deployment: string,
  action: 'promote' | 'abort',
  traffic: TrafficState,
  checked: string,
): void {
  const inProgress = traffic.phase === 'canary' || traffic.phase === 'waiting';
  const found = inProgress ? traffic.candidate_revision : null;
  if (found !== checked) throw errors.releaseCandidateReplaced(deployment, action, checked, found);
}
