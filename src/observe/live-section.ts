/**
 * The `live` part of `bentoctl status`: the cloud's answer, or why there is none (then the
 * local records are all status shows, and it says so), and its lines in the human output.
 */
import type { ResolvedConfig } from '../config/resolved-config.js';
import { BentoctlError } from '../errors/index.js';
import type { LiveStatus } from './live-status.js';
import { observerFor, type ObserverDependencies } from './observer.js';

export interface LiveSection {
  /** What the cloud says runs; null when it was not asked or did not answer. */
  readonly live: LiveStatus | null;
  /** Why `live` is null: the error the cloud (or its credentials) gave. */
  readonly liveError: {
    readonly code: string;
    readonly message: string;
    readonly hint: string | null;
  } | null;
  /** The exit status the failure calls for (3 for a cloud failure); 0 without one. */
  readonly liveExitCode: number;
}

export async function liveSection(
  config: ResolvedConfig,
  dependencies: ObserverDependencies = {},
): Promise<LiveSection> {
  try {
    const observer = await observerFor(config, dependencies);
    return { live: await observer.status(), liveError: null, liveExitCode: 0 };
  } catch (cause) {
    if (!(cause instanceof BentoctlError)) throw cause;
    return {
      live: null,
      liveError: { code: cause.code, message: cause.message, hint: cause.hint ?? null },
      liveExitCode: cause.exitCode,
    };
  }
}

/** Rows for the status table: the cloud's view, or the fallback said plainly. */
export function liveRows(section: LiveSection): [string, string][] {
  const { live, liveError } = section;
  if (live === null) {
    const why =
      liveError === null
        ? 'not asked (--no-live)'
        : `[${liveError.code}] ${liveError.message.replace(/\.$/, '')}`;
    const rows: [string, string][] = [
      ['live', `unavailable: ${why}; bento version and image above are the local records'`],
    ];
    if (liveError?.hint) rows.push(['fix', liveError.hint]);
    return rows;
  }
  const rows: [string, string][] = [['live', live.source]];
  if (!live.found) {
    rows.push(['cloud', `not found${live.notes[0] === undefined ? '' : `: ${live.notes[0]}`}`]);
    return rows;
  }
  rows.push([
    'instances',
    `${live.running ?? '?'} running of ${live.desired ?? '?'} desired${live.rollout === null ? '' : `; rollout ${live.rollout}`}`,
  ]);
  for (const revision of live.revisions) {
    const parts = [
      revision.role,
      revision.running === null
        ? undefined
        : `${revision.running}/${revision.desired ?? '?'} running`,
      revision.trafficPercent === null ? undefined : `${revision.trafficPercent}% traffic`,
      revision.bentoVersion === null ? undefined : `bento ${revision.bentoVersion}`,
      revision.image ?? undefined,
    ].filter((part) => part !== undefined && part !== '');
    rows.push(['revision', `${revision.id}: ${parts.join(', ')}`]);
  }
  for (const instance of live.instances) {
    rows.push([
      'instance',
      `${instance.id} ${instance.state}${instance.health === null ? '' : `, ${instance.health}`}${instance.revision === null ? '' : `, ${instance.revision}`}`,
    ]);
  }
  for (const event of live.events) {
    const mark = event.severity === 'error' ? '! ' : event.severity === 'warning' ? '~ ' : '';
    rows.push(['event', `${mark}${event.time ?? '-'} ${event.message}`]);
  }
  for (const note of live.notes) rows.push(['note', note]);
  return rows;
}
