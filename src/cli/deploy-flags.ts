/**
 * The flags the deploying commands share (plan, apply, rollback, destroy), built once so their
 * names, defaults, help and relations cannot drift apart.
 */
import * as Flags from '@oclif/core/flags';
import { NO_WAIT } from './flag-relations.js';

/** `--auto-approve`; `verb` is what then happens without asking (`Apply`, `Destroy`). */
export function autoApproveFlag(verb: string) {
  return Flags.boolean({ summary: `${verb} without asking (required without a terminal).` });
}

/** `--wait` / `--no-wait` and `--wait-timeout` (which conflicts with `--no-wait`) for `what`. */
export function waitFlags(what: string) {
  return {
    wait: Flags.boolean({
      summary: `Wait until <endpoint>/readyz answers from ${what}.`,
      default: true,
      allowNo: true,
    }),
    'wait-timeout': Flags.integer({
      summary: `Seconds to wait for ${what} to answer /readyz.`,
      default: 300,
      min: 1,
      relationships: [{ type: 'none', flags: [NO_WAIT] }],
    }),
  };
}

/** `--image`: what generate pins instead of the build record's image. */
export const deployImageFlag = Flags.string({
  summary: 'Image to deploy instead of the recorded one: repository[:tag][@sha256:<digest>].',
  helpValue: '<ref>',
});

/** `--generate` / `--no-generate`; `verb` is what the command does with the stack (`applies`). */
export function generateFlag(verb: string) {
  return Flags.boolean({
    summary: `Generate the stack first; --no-generate ${verb} the stack already in .bentoctl/<name>/stack.`,
    default: true,
    allowNo: true,
  });
}
