/**
 * Every error bentoctl raises on purpose, in one place. Each factory says what happened, why,
 * and what to do; `docs/errors.md` lists the same codes and a test keeps the two in sync.
 */
import { BentoctlError, type Diagnostic, type ErrorKind } from './bentoctl-error.js';

/** The code, kind and one-line remedy of each error, as documented in docs/errors.md. */
export const ERROR_CATALOGUE = {
  CONFIG_NOT_FOUND: { kind: 'usage', fix: 'Check the path given to -f, or create one with `bentoctl init`.' },
  CONFIG_NOT_A_FILE: { kind: 'usage', fix: 'Point -f at the YAML file inside the folder, not the folder.' },
  CONFIG_UNREADABLE: { kind: 'usage', fix: 'Check the file permissions.' },
  CONFIG_EMPTY: { kind: 'usage', fix: 'Write a config, or generate one with `bentoctl init`.' },
  CONFIG_YAML_SYNTAX: { kind: 'usage', fix: 'Fix the YAML at the line shown (indentation, quotes, duplicate keys).' },
  CONFIG_INVALID: { kind: 'usage', fix: 'Fix each field listed; `bentoctl targets show <target>` lists the valid spec fields.' },
  CONFIG_ENV_UNSET: { kind: 'usage', fix: 'Export the variable, or give a default with ${VAR:-default}.' },
  BENTO_NOT_FOUND: { kind: 'usage', fix: 'Point `bento` at a folder with a bento.yaml, a bento archive, or name:version from `bentoctl bento list`.' },
  TARGET_UNKNOWN: { kind: 'usage', fix: 'Run `bentoctl targets list` for the valid names.' },
  OUTPUT_EXISTS: { kind: 'usage', fix: 'Pass --force to overwrite it, or choose another path with --output.' },
  FLAG_INVALID: { kind: 'usage', fix: 'Run the command with --help for the expected form.' },
  SPEC_FIELD_UNKNOWN: { kind: 'usage', fix: 'Run `bentoctl targets show <target>` for the spec fields.' },
  INIT_INPUT_MISSING: {
    kind: 'usage',
    fix: 'Pass the values as flags; --yes accepts the defaults of fields that have one.',
  },
  INTERNAL: { kind: 'internal', fix: 'This is a bug in bentoctl: rerun with DEBUG=* and report the output.' },
} as const satisfies Record<string, { kind: ErrorKind; fix: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

function raise(
  code: ErrorCode,
  message: string,
  extra: { hint?: string; diagnostics?: readonly Diagnostic[]; cause?: unknown } = {},
): BentoctlError {
  const entry = ERROR_CATALOGUE[code];
  return new BentoctlError({
    code,
    kind: entry.kind,
    message,
    hint: extra.hint ?? entry.fix,
    diagnostics: extra.diagnostics,
    cause: extra.cause,
  });
}

export const errors = {
  configNotFound: (file: string) =>
    raise('CONFIG_NOT_FOUND', `Deployment config ${file} does not exist.`),
  configNotAFile: (file: string) =>
    raise('CONFIG_NOT_A_FILE', `Deployment config ${file} is a directory, not a YAML file.`, {
      hint: `Did you mean ${file}/deployment_config.yaml? Point -f at the file itself.`,
    }),
  configUnreadable: (file: string, cause: unknown) =>
    raise('CONFIG_UNREADABLE', `Deployment config ${file} cannot be read: ${describe(cause)}.`, {
      cause,
    }),
  configEmpty: (file: string, diagnostic: Diagnostic) =>
    raise('CONFIG_EMPTY', `Deployment config ${file} is empty.`, { diagnostics: [diagnostic] }),
  configSyntax: (file: string, diagnostics: readonly Diagnostic[]) =>
    raise('CONFIG_YAML_SYNTAX', `Deployment config ${file} is not valid YAML.`, { diagnostics }),
  configInvalid: (file: string, diagnostics: readonly Diagnostic[]) =>
    raise(
      'CONFIG_INVALID',
      `Deployment config ${file} has ${diagnostics.length === 1 ? 'an invalid field' : `${diagnostics.length} invalid fields`}.`,
      { diagnostics },
    ),
  envUnset: (file: string, diagnostics: readonly Diagnostic[]) =>
    raise(
      'CONFIG_ENV_UNSET',
      `Deployment config ${file} refers to environment variables that are not set.`,
      { diagnostics },
    ),
  bentoNotFound: (file: string, diagnostic: Diagnostic) =>
    raise('BENTO_NOT_FOUND', `The bento named in ${file} cannot be found.`, {
      diagnostics: [diagnostic],
    }),
  targetUnknown: (name: string, suggestion: string | undefined) =>
    raise('TARGET_UNKNOWN', `There is no target named "${name}".`, {
      hint: suggestion
        ? `Did you mean "${suggestion}"? Run \`bentoctl targets list\` for all of them.`
        : undefined,
    }),
  outputExists: (file: string) =>
    raise('OUTPUT_EXISTS', `${file} already exists; bentoctl will not overwrite it.`),
  flagInvalid: (flag: string, value: string, expected: string) =>
    raise('FLAG_INVALID', `--${flag} ${JSON.stringify(value)}: expected ${expected}.`),
  specFieldUnknown: (target: string, key: string, suggestion: string | undefined) =>
    raise('SPEC_FIELD_UNKNOWN', `${target} has no spec field "${key}".`, {
      hint: `${suggestion === undefined ? '' : `Did you mean ${suggestion}? `}Run \`bentoctl targets show ${target}\` for the fields.`,
    }),
  initInputMissing: (missing: readonly string[]) =>
    raise(
      'INIT_INPUT_MISSING',
      `bentoctl init cannot ask (no terminal, or --yes) and has no value for: ${missing.map((flag) => `--${flag}`).join(', ')}.`,
    ),
  internal: (cause: unknown) =>
    raise('INTERNAL', `Unexpected failure: ${describe(cause)}.`, { cause }),
};

function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return String(cause);
}
