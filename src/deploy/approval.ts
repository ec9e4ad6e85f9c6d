/**
 * The go-ahead for apply and destroy: `--auto-approve`, or a question on the terminal (a yes/no
 * for apply, the deployment's name typed out for destroy, as a typo-proof "are you sure").
 * Without a terminal and without --auto-approve nothing may change, which callers check before
 * running anything so CI fails fast instead of after a long plan.
 */
import { errors } from '../errors/index.js';
import type { PlanSummary } from '../terraform/plan-summary.js';
import type { Approval } from './deployment-run.js';

/** The commands that change a deployment: each plans, asks, and applies (or destroys). */
export type DeployingCommand =
  'apply' | 'rollback' | 'terminate' | 'restore' | 'destroy' | 'release promote' | 'release abort';

export interface ApprovalOptions {
  /** rollback, terminate, restore and the release moves ask as apply does: each is an apply. */
  readonly command: DeployingCommand;
  readonly deployment: string;
  readonly autoApprove: boolean;
  /** A person can answer: stdin and stdout are terminals and --json is off. */
  readonly interactive: boolean;
  readonly review: (summary: PlanSummary) => void;
  /** Ends a pending question (a SIGTERM from CI must not leave it waiting for an answer). */
  readonly signal?: AbortSignal;
}

const CONFIRM_VERB = {
  apply: 'Apply these changes to',
  rollback: 'Roll back with these changes to',
  terminate: 'Terminate (scale to zero, endpoint off)',
  restore: 'Restore',
  'release promote': 'Promote the candidate with these changes to',
  'release abort': 'Abort the candidate with these changes to',
} as const;

/** Throws CONFIRMATION_REQUIRED when nobody can approve; else returns the Approval to use. */
export function approvalFor(options: ApprovalOptions): Approval {
  if (options.autoApprove) return { review: options.review, confirm: async () => true };
  if (!options.interactive) throw errors.confirmationRequired(options.command);
  return {
    review: options.review,
    confirm: async () => {
      const prompts = await import('@inquirer/prompts');
      const context = options.signal === undefined ? {} : { signal: options.signal };
      if (options.command !== 'destroy') {
        return prompts.confirm(
          {
            message: `${CONFIRM_VERB[options.command]} ${options.deployment}?`,
            default: false,
          },
          context,
        );
      }
      const typed = await prompts.input(
        { message: `This destroys ${options.deployment}. Type its name to confirm:` },
        context,
      );
      return typed.trim() === options.deployment;
    },
  };
}

/** Stdin and stdout are terminals: someone can be asked. */
export function isInteractive(jsonEnabled: boolean): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY) && !jsonEnabled;
}

/** Terraform's output streams on a terminal; in CI it is captured and shown on failure. */
export function shouldStream(jsonEnabled: boolean): boolean {
  return Boolean(process.stderr.isTTY) && process.env.CI !== 'true' && !jsonEnabled;
}
