/**
 * oclif's own parse errors (an unknown flag, a bad flag value, a missing argument...) as
 * BentoctlErrors: a code from the catalogue, a fix, exit 2, and the same `--json` shape as every
 * other error. oclif says what was wrong; this adds what to type instead where it can tell.
 */
import * as Errors from '@oclif/core/errors';
import { closestMatch } from '../config/suggest.js';
import { errors, type BentoctlError } from '../errors/index.js';

/** What the suggestions need of a command: its id, flags and arguments (class or manifest). */
export interface CommandShape {
  /** oclif's id, `targets:show`. */
  readonly id: string;
  readonly flags: Readonly<Record<string, { readonly char?: string; readonly allowNo?: boolean }>>;
  readonly args: Readonly<Record<string, { readonly description?: string }>>;
}

/** The name as typed: `targets show`. */
export function commandName(id: string): string {
  return id.replaceAll(':', ' ');
}

/** Converts an oclif parse error raised while `command` read its argv. */
export function usageError(error: Errors.CLIError, command: CommandShape): BentoctlError {
  const name = commandName(command.id);
  const help = `Run \`bentoctl ${name} --help\` for its flags and arguments.`;
  const detail = plainMessage(error.message);
  switch (error.constructor.name) {
    case 'NonExistentFlagsError': {
      const given = (error as Errors.CLIError & { flags?: string[] }).flags ?? [detail];
      return errors.flagUnknown(name, given, flagSuggestion(given, command) ?? help);
    }
    case 'UnexpectedArgsError': {
      const args = ((error as Errors.CLIError & { args?: unknown[] }).args ?? []).map(String);
      return errors.argumentUnexpected(name, args, argumentSuggestion(args, command) ?? help);
    }
    case 'RequiredArgsError': {
      const missing = (error as Errors.CLIError & { args?: { name: string }[] }).args ?? [];
      return errors.argumentMissing(
        name,
        missing.map((arg) => arg.name.toUpperCase()),
        `${missing.map((arg) => `${arg.name.toUpperCase()}: ${(command.args[arg.name]?.description ?? '').replace(/\.$/, '')}`).join('; ')}. ${help}`,
      );
    }
    case 'ArgInvalidOptionError':
      return errors.argumentInvalid(name, detail, help);
    case 'FailedFlagValidationError':
    case 'ViolatedFlagConstraintError': {
      const reasons = detail
        .split('\n')
        .slice(1)
        .map((line) =>
          line
            .trim()
            .replace(/^Missing required flag (\w[\w-]*)$/, 'missing the required flag --$1')
            // A `none` relation on a negated boolean (flag-relations.ts) reads as typed.
            .replace(/--(\w[\w-]*)=false\b/g, '--no-$1'),
        )
        .filter((line) => line !== '');
      const text = reasons.join('; ') || detail;
      return reasons.every((reason) => reason.startsWith('missing the required flag'))
        ? errors.flagMissing(name, text, help)
        : errors.flagConflict(name, text, help);
    }
    default:
      // FlagInvalidOptionError, "Parsing --port: Expected an integer", "Flag --file expects a
      // value", "can only be specified once": all say a flag's value is not what it takes.
      return /^Unexpected flag /.test(detail)
        ? errors.flagUnknown(name, [detail.replace(/^Unexpected flag /, '')], help)
        : errors.flagValueInvalid(name, detail, help);
  }
}

/** `bentoctl valdate`: the closest command, with the words typed after it kept. */
export function unknownCommandError(id: string, commands: readonly CommandShape[]): BentoctlError {
  const words = id.split(':');
  const typed = words.join(' ');
  // Compare with as many words as each command has, so `targets shw aws-ecs` finds `targets show`;
  // the longest command that is close wins.
  const names = commands.map((command) => commandName(command.id));
  for (let length = Math.min(words.length, 3); length >= 1; length -= 1) {
    const sameLength = names.filter((name) => name.split(' ').length === length);
    const best = closestMatch(words.slice(0, length).join(' '), sameLength);
    if (best !== undefined) {
      const corrected = [best, ...words.slice(length)].join(' ');
      return errors.commandUnknown(
        typed,
        `Did you mean \`bentoctl ${corrected}\`? Run \`bentoctl --help\` for the commands.`,
      );
    }
  }
  return errors.commandUnknown(typed);
}

/** A lone value where a config file is expected becomes `-f <value>`. */
function argumentSuggestion(args: readonly string[], command: CommandShape): string | undefined {
  const name = commandName(command.id);
  const file = command.flags.file;
  if (args.length === 1 && file?.char === 'f' && Object.keys(command.args).length === 0)
    return `Did you mean \`bentoctl ${name} -f ${args[0] ?? ''}\`? The config is passed with -f/--file.`;
  return undefined;
}

function flagSuggestion(given: readonly string[], command: CommandShape): string | undefined {
  const names = Object.entries(command.flags).flatMap(([flag, spec]) =>
    spec.allowNo === true ? [flag, `no-${flag}`] : [flag],
  );
  const suggestions = given.flatMap((flag) => {
    const match = closestMatch(flag.replace(/^-+/, '').replace(/=.*$/, ''), names);
    return match === undefined ? [] : [`--${match} for ${flag}`];
  });
  if (suggestions.length === 0) return undefined;
  return `Did you mean ${suggestions.join(', ')}? Run \`bentoctl ${commandName(command.id)} --help\` for its flags.`;
}

/** oclif's message without its colours and its own "See more help" line. */
function plainMessage(message: string): string {
  return (
    message
      // eslint-disable-next-line no-control-regex
      .replace(/\u001b\[[0-9;]*m/g, '')
      .replace(/\nSee more help with --help$/, '')
      .replace(/ \n\t/g, ': ')
      .trim()
  );
}
