/**
 * What `release promote` and `release abort` share: the deploying flags (built in
 * deploy-flags.ts, like apply's) and the one way their flags become a traffic move.
 */
import * as Flags from '@oclif/core/flags';
import type { Interrupts } from './interrupts.js';
import { configFileFlag } from './config-flag.js';
import { autoApproveFlag, waitFlags } from './deploy-flags.js';
import type { CommandView } from './base-command.js';
import type { ReleaseMoveOptions } from '../deploy/release-command.js';
import type { PlanSummary } from '../terraform/plan-summary.js';

export const releaseMoveFlags = {
  file: configFileFlag,
  'auto-approve': autoApproveFlag('Apply'),
  ...waitFlags('the revision that now takes all traffic'),
  generate: Flags.boolean({
    summary:
      'Generate the stack first (from the candidate release image); --no-generate applies the stack already in .bentoctl/<name>/stack.',
    default: true,
    allowNo: true,
  }),
};

/** The parsed values of `releaseMoveFlags`. */
export interface ReleaseMoveFlagValues {
  readonly file: string;
  readonly 'auto-approve': boolean;
  readonly wait: boolean;
  readonly 'wait-timeout': number;
  readonly generate: boolean;
}

/** The traffic move the flags ask for, reporting through the command's view. */
export function releaseMoveOptions(
  action: ReleaseMoveOptions['action'],
  flags: ReleaseMoveFlagValues,
  view: CommandView,
  interrupts: Interrupts,
  review: (summary: PlanSummary, title: string) => void,
): ReleaseMoveOptions {
  return {
    action,
    configFile: flags.file,
    autoApprove: flags['auto-approve'],
    wait: flags.wait,
    waitTimeoutSeconds: flags['wait-timeout'],
    generate: flags.generate,
    json: view.json,
    interrupts,
    say: view.progress,
    log: view.log,
    review,
  };
}
