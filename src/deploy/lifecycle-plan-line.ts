/**
 * The lifecycle change of a plan as one line of its summary (the PR comment): "Terminates
 * iris-prod: <what terminated means on its target>...", or "Restores iris-prod: ...", in the
 * target's own words (`TargetDefinition.lifecycle`, also shown by `bentoctl targets show`).
 */
import type { ResolvedConfig } from '../config/resolved-config.js';
import { getTarget } from '../targets/registry.js';
import { lifecycleOf } from './lifecycle-state.js';
import type { PlannedReleases } from './planned-release.js';
import { currentRelease } from './release-history.js';

/** Undefined when the plan keeps the lifecycle (every plain plan). */
export function lifecyclePlanLine(
  config: ResolvedConfig,
  releases: PlannedReleases | undefined,
): string | undefined {
  if (releases === undefined) return undefined;
  const before = lifecycleOf(releases.previousLifecycle);
  const after = lifecycleOf(releases.lifecycle);
  if (before === after) return undefined;
  const shapes = getTarget(config.target).lifecycle;
  const release = currentRelease(releases.history);
  const at = release === undefined ? '' : ` at release ${release.number}`;
  const file = config.source.file;
  return after === 'terminated'
    ? `Terminates ${config.name}${at}: ${shapes?.terminated ?? 'compute goes to zero and the endpoint stops answering'}. The repository, images, release history and config stay; a later plain apply refuses until \`bentoctl restore -f ${file}\`.`
    : `Restores ${config.name}${at}: ${shapes?.restored ?? 'back to the size the config gives, at the image of the current release'}.`;
}
