/**
 * oclif's `command_not_found` hook. oclif joins space-separated words into one command id while
 * they could still name a command, so `bentoctl validate x.yaml` arrives here as the unknown
 * `validate:x.yaml`: that runs `validate` with `x.yaml` as its argv, and the command itself
 * reports the unexpected argument (suggesting `-f x.yaml`), with its own exit codes and --json.
 * A truly unknown command is reported like every other bentoctl error: a code, the closest
 * command as the fix, exit 2, and JSON under `--json`.
 */
import type { Hook } from '@oclif/core/interfaces';
import { errorToJson, renderError } from './render-error.js';
import { unknownCommandError } from './usage-error.js';

const hook: Hook<'command_not_found'> = async function (options) {
  const argv = options.argv ?? [];
  const words = options.id.split(':');
  for (let length = words.length - 1; length >= 1; length -= 1) {
    const known = options.config.findCommand(words.slice(0, length).join(':'));
    if (known !== undefined)
      return options.config.runCommand(known.id, [...words.slice(length), ...argv]);
  }
  const commands = options.config.commands
    .filter((command) => command.hidden !== true)
    .map((command) => ({ id: command.id, flags: command.flags, args: command.args }));
  const error = unknownCommandError(options.id, commands);
  const end = argv.indexOf('--');
  const json = (end === -1 ? argv : argv.slice(0, end)).includes('--json');
  if (json) process.stdout.write(`${JSON.stringify(errorToJson(error), null, 2)}\n`);
  else process.stderr.write(`${renderError(error)}\n`);
  this.exit(error.exitCode);
};

export default hook;
