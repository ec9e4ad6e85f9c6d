/**
 * The one error type bentoctl raises on purpose. Commands turn it into a message, a code and an
 * exit status; anything else that escapes is treated as an internal bug.
 */

/**
 * Who has to act: the user (usage), a tool or service we drive (external), or us (internal);
 * `interrupted` is no failure of anyone: a signal or a cancelled prompt stopped the command.
 */
export const ERROR_KINDS = ['usage', 'external', 'internal', 'interrupted'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/**
 * Exit status per kind, so CI scripts can tell a bad config from a failed terraform run. 70 is
 * EX_SOFTWARE of sysexits(3); 130 is what a shell reports for a command ended by SIGINT.
 */
export const EXIT_CODES: Readonly<Record<ErrorKind, number>> = {
  usage: 2,
  external: 3,
  internal: 70,
  interrupted: 130,
};

/** A place in a source file, 1-based as editors show it. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** One problem found in a file: where it is, which field, what is wrong and what to do. */
export interface Diagnostic {
  readonly location: SourceLocation;
  /** Dotted field path, e.g. `spec.cpu` or `runtime.batching.max_batch_size`; empty for the file itself. */
  readonly field: string;
  readonly message: string;
  /** The closest valid key or value, when there is one. */
  readonly suggestion?: string;
}

export interface BentoctlErrorOptions {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly message: string;
  /** What the user should do next. */
  readonly hint?: string;
  readonly diagnostics?: readonly Diagnostic[];
  readonly cause?: unknown;
}

export class BentoctlError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly hint: string | undefined;
  readonly diagnostics: readonly Diagnostic[];

  constructor(options: BentoctlErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BentoctlError';
    this.code = options.code;
    this.kind = options.kind;
    this.hint = options.hint;
    this.diagnostics = options.diagnostics ?? [];
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
}

/** Renders `file:line:column` the way editors and terminals make clickable. */
export function formatLocation(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.column}`;
}
