/**
 * A deployment's releases: one entry per apply that changed what runs (the image digest or the
 * config), newest last, capped at RELEASE_HISTORY_LIMIT. The history is kept in the Terraform
 * state (release-stack-file.ts says how and why), so any runner with the state backend's
 * credentials reads the same list; `releases` prints it and `rollback` picks from it.
 */
import { createHash } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { stableJsonLine } from '../targets/stable-json.js';
import type { Release } from './deployment-records.js';

/** Entries kept; older ones drop off (the state, and every plan, carries the whole list). */
export const RELEASE_HISTORY_LIMIT = 20;

/** What an apply is about to run, before it becomes a release. */
export interface ReleaseCandidate {
  readonly bentoVersion: string | null;
  readonly imageRepository: string | null;
  readonly imageDigest: string | null;
  readonly configDigest: string;
  /** Set when `bentoctl rollback` restores an earlier release. */
  readonly rollbackTo?: Release;
}

export interface Actor {
  readonly by: string;
  readonly runUrl: string | null;
}

/** The newest release: what runs now, as far as the history knows. */
export function currentRelease(history: readonly Release[]): Release | undefined {
  return history.at(-1);
}

/**
 * The history after this apply: unchanged when the candidate runs what the current release
 * runs (so a re-plan without changes stays a no-op), else with a new entry appended.
 */
export function nextHistory(
  history: readonly Release[],
  candidate: ReleaseCandidate,
  actor: Actor,
  now: Date = new Date(),
): { readonly history: readonly Release[]; readonly added: Release | undefined } {
  const current = currentRelease(history);
  if (
    current !== undefined &&
    current.image_digest === candidate.imageDigest &&
    current.config_digest === candidate.configDigest
  ) {
    return { history, added: undefined };
  }
  const added: Release = {
    number: (current?.number ?? 0) + 1,
    recorded_at: now.toISOString(),
    kind: candidate.rollbackTo === undefined ? 'apply' : 'rollback',
    bento_version: candidate.bentoVersion,
    image_repository: candidate.imageRepository,
    image_digest: candidate.imageDigest,
    config_digest: candidate.configDigest,
    by: actor.by,
    run_url: actor.runUrl,
    rollback_to: candidate.rollbackTo?.number ?? null,
    rollback_of: candidate.rollbackTo === undefined ? null : (current?.number ?? null),
  };
  return { history: [...history, added].slice(-RELEASE_HISTORY_LIMIT), added };
}

/**
 * sha256 of the resolved config (defaults applied, `${VAR}` substituted) as sorted JSON. Where
 * the file was read from is left out: a fresh CI checkout in another folder is the same config.
 */
export function configDigest(config: ResolvedConfig): string {
  const { source: _source, bentoReference: _reference, release, ...rest } = config;
  // The default strategy is left out so that configs written before `release:` existed keep
  // their digest (and a re-plan of them records no release).
  const content = release.strategy === 'rolling' ? rest : { ...rest, release };
  return `sha256:${createHash('sha256').update(stableJsonLine(content)).digest('hex')}`;
}

/** Who applies: the CI actor and run (GitHub Actions, GitLab CI), else the OS user and host. */
export function currentActor(env: NodeJS.ProcessEnv = process.env): Actor {
  if (env.GITHUB_ACTIONS === 'true' || env.GITHUB_RUN_ID !== undefined) {
    const runUrl =
      env.GITHUB_SERVER_URL !== undefined &&
      env.GITHUB_REPOSITORY !== undefined &&
      env.GITHUB_RUN_ID !== undefined
        ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
        : null;
    return { by: `github:${env.GITHUB_ACTOR ?? 'unknown'}`, runUrl };
  }
  if (env.GITLAB_CI === 'true' || env.CI_PIPELINE_ID !== undefined) {
    return {
      by: `gitlab:${env.GITLAB_USER_LOGIN ?? 'unknown'}`,
      runUrl: env.CI_JOB_URL ?? env.CI_PIPELINE_URL ?? null,
    };
  }
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers run as an arbitrary uid).
    user = env.USER ?? 'unknown';
  }
  return { by: `${user}@${hostname()}`, runUrl: null };
}
