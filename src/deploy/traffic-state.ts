/**
 * Who gets the traffic of a deployment whose traffic bentoctl moves (google-cloud-run under
 * canary or blue-green): the stable revision, and the candidate under test with its share. It
 * is kept in the Terraform state beside the release history (release-stack-file.ts), so any
 * runner reads it, and it changes only in an apply: `apply` starts a canary when the stack names
 * a new revision, `release promote` gives the candidate everything, `release abort` gives it
 * nothing (it keeps its tag, so its URL still answers for a look at what went wrong).
 */
import { z } from 'zod';
import { errors } from '../errors/index.js';
import type { ReleaseConfig } from '../config/release-schema.js';
import {
  CANDIDATE_TAG,
  type ReleaseApproval,
  type TrafficTarget,
} from '../targets/traffic-split.js';

export const TRAFFIC_ACTIONS = ['apply', 'promote', 'abort'] as const;
/** What the plan does to the traffic: follow the stack (apply), or move it (promote, abort). */
export type TrafficAction = (typeof TRAFFIC_ACTIONS)[number];

// Flat, every field present (null when empty), like the release entries: a stable type in state.
export const trafficStateSchema = z.object({
  strategy: z.enum(['canary', 'blue-green']),
  /** settled: all to stable; canary: percent to the candidate; waiting: 0 until promoted. */
  phase: z.enum(['settled', 'canary', 'waiting', 'aborted']),
  stable_revision: z.string(),
  /** The release that the stable revision runs, when one was recorded. */
  stable_release: z.number().int().nullable(),
  candidate_revision: z.string().nullable(),
  candidate_release: z.number().int().nullable(),
  /** The candidate's share now, 0-99. */
  percent: z.number().int(),
  /** When the candidate got its share (ISO 8601). */
  started_at: z.string().nullable(),
  bake_minutes: z.number().int(),
});

export type TrafficState = z.output<typeof trafficStateSchema>;

export interface TrafficInput {
  /** The revision the stack just generated runs (its variable's default). */
  readonly stackRevision: string;
  readonly release: Exclude<ReleaseConfig, { strategy: 'rolling' }>;
  readonly action: TrafficAction;
  /** The release the stack runs after this plan (the current one in the history). */
  readonly currentRelease: number | null;
  readonly deployment: string;
  /** `release promote`: promote a canary before its bake time is over. @default false */
  readonly skipBake?: boolean;
  readonly now?: Date;
  /**
   * How the stack takes the traffic: a split bentoctl sets, or an approval the platform acts on
   * (it rolls a rejected revision back itself, so an abort applies the stable revision's stack,
   * and an apply of a rejected revision asks for its approval again). @default 'split'
   */
  readonly control?: 'split' | 'approval';
}

/** The state after this plan; throws when promote or abort has nothing to act on. */
export function nextTraffic(previous: TrafficState | undefined, input: TrafficInput): TrafficState {
  const now = input.now ?? new Date();
  const { release, stackRevision } = input;
  const bakeMinutes = release.bake_minutes;
  const settled = (revision: string, number: number | null): TrafficState => ({
    strategy: release.strategy,
    phase: 'settled',
    stable_revision: revision,
    stable_release: number,
    candidate_revision: null,
    candidate_release: null,
    percent: 0,
    started_at: null,
    bake_minutes: bakeMinutes,
  });
  const inProgress =
    previous !== undefined && (previous.phase === 'canary' || previous.phase === 'waiting');

  if (input.action !== 'apply') {
    if (previous === undefined || !inProgress || previous.candidate_revision === null) {
      throw errors.releaseNotInProgress(
        input.deployment,
        input.action,
        previous === undefined ? 'settled' : previous.phase,
      );
    }
    const rollsBack = input.action === 'abort' && input.control === 'approval';
    const expected = rollsBack ? previous.stable_revision : previous.candidate_revision;
    if (stackRevision !== expected) {
      throw errors.releaseCandidateChanged(
        input.deployment,
        input.action,
        expected,
        stackRevision,
        rollsBack ? 'the stable revision it goes back to' : 'the candidate',
      );
    }
    if (input.action === 'abort') {
      return { ...previous, phase: 'aborted', percent: 0 };
    }
    const left = bakeMinutesLeft(previous, now);
    if (previous.phase === 'canary' && left > 0 && input.skipBake !== true) {
      throw errors.releaseBaking(input.deployment, previous.percent, left);
    }
    return settled(previous.candidate_revision, previous.candidate_release);
  }

  if (previous === undefined) return settled(stackRevision, input.currentRelease);
  if (stackRevision === previous.stable_revision) {
    // What an abort applied on an approval stack: kept, so a re-plan changes nothing.
    if (input.control === 'approval' && previous.phase === 'aborted') return previous;
    // Back to what serves (a config reverted during a canary): the candidate is dropped.
    return previous.phase === 'settled'
      ? previous
      : settled(previous.stable_revision, previous.stable_release);
  }
  if (stackRevision === previous.candidate_revision) {
    // The platform rolled a rejected candidate back; applying it again deploys it again, and it
    // waits for an approval like any new revision.
    if (!(input.control === 'approval' && previous.phase === 'aborted')) return previous;
  }
  // A new revision, also one that replaces a candidate not yet promoted: the stable one keeps
  // serving while it proves itself.
  return {
    strategy: release.strategy,
    phase: release.strategy === 'canary' ? 'canary' : 'waiting',
    stable_revision: previous.stable_revision,
    stable_release: previous.stable_release,
    candidate_revision: stackRevision,
    candidate_release: input.currentRelease,
    percent: release.strategy === 'canary' ? release.percent : 0,
    started_at: now.toISOString(),
    bake_minutes: bakeMinutes,
  };
}

/** Minutes before a canary may take all traffic (0 once baked, and outside a canary). */
export function bakeMinutesLeft(state: TrafficState, now: Date = new Date()): number {
  if (state.phase !== 'canary' || state.started_at === null) return 0;
  const elapsedMinutes = (now.getTime() - Date.parse(state.started_at)) / 60_000;
  return Math.max(0, Math.ceil(state.bake_minutes - elapsedMinutes));
}

/** The split the stack's `bentoctl_traffic` variable gets for `state`. */
export function splitOf(state: TrafficState): TrafficTarget[] {
  if (state.phase === 'settled' || state.candidate_revision === null) {
    return [{ revision: state.stable_revision, percent: 100, tag: CANDIDATE_TAG }];
  }
  return [
    { revision: state.stable_revision, percent: 100 - state.percent, tag: null },
    {
      revision: state.candidate_revision,
      percent: state.percent,
      tag: CANDIDATE_TAG,
      // Aborted: no share, and no capacity where the stack sizes it per revision.
      ...(state.phase === 'aborted' ? { drained: true as const } : {}),
    },
  ];
}

/**
 * The approval variable's value for `state` (a stack whose platform shifts once approved): the
 * stable revision is approved, so a deployment of it passes at once and a candidate waits; an
 * aborted candidate is rejected, so the platform rolls it back.
 */
export function approvalOf(state: TrafficState): ReleaseApproval {
  return {
    approved: state.stable_revision,
    rejected: state.phase === 'aborted' ? (state.candidate_revision ?? '') : '',
  };
}
