/**
 * Flag relations that hold only for one value of a boolean flag (`--no-wait`, `--no-batching`),
 * for oclif's `relationships` (`exclusive` takes names only): a `none` relation skips defaulted flags, so the
 * condition says which value conflicts. A conflict is a usage error (FLAG_CONFLICT, exit 2) like
 * every other parse error (usage-error.ts).
 */
/** oclif's conditional FlagRelationship (not exported by @oclif/core/interfaces). */
export interface ConditionalFlag {
  readonly name: string;
  readonly when: (flags: Record<string, unknown>) => Promise<boolean>;
}

/** The flag `name` given as `--no-<name>`. */
export function negated(name: string): ConditionalFlag {
  return { name, when: async (flags) => flags[name] === false };
}

/** `--no-wait`: nothing waits, so a wait's settings conflict with it. */
export const NO_WAIT = negated('wait');

/** `--no-batching`: no batches, so batch settings conflict with it. */
export const NO_BATCHING = negated('batching');
