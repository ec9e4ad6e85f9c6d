/**
 * A command stopped by SIGINT or SIGTERM. It keeps its parts (what ran, the signal, what is
 * true afterwards) so that a caller who knows more, such as the deployment it ran on or the
 * lock it released, can say so in the one message the user reads.
 */
import { BentoctlError } from './bentoctl-error.js';

export interface InterruptedParts {
  /** What was running, e.g. `terraform apply of iris-prod`. */
  readonly activity: string;
  /** e.g. `SIGINT` */
  readonly signal: string;
  /** What is true now, e.g. `terraform stopped gracefully`, in the order they happened. */
  readonly notes: readonly string[];
  /** Output worth showing (terraform's last lines when they were not streamed). @default '' */
  readonly output?: string;
  readonly hint: string;
}

export class InterruptedError extends BentoctlError {
  readonly parts: InterruptedParts;

  constructor(parts: InterruptedParts) {
    const notes = parts.notes.map((note) => `; ${note}`).join('');
    const output = parts.output === undefined || parts.output === '' ? '' : `\n${parts.output}`;
    super({
      code: 'INTERRUPTED',
      kind: 'interrupted',
      message: `Interrupted ${parts.activity} (${parts.signal})${notes}.${output}`,
      hint: parts.hint,
    });
    this.name = 'InterruptedError';
    this.parts = parts;
  }
}
