/**
 * oclif's `command_not_found` hook: an unknown command, or a command given a positional it does
 * not take (`bentoctl validate x.yaml`), is reported like every other bentoctl error: a code, a
 * fix with the closest command or the flag to use, exit 2, and JSON under `--json`.
 */
import type { Hook } from '@oclif/core/interfaces';
import { errorToJson, renderError } from './render-error.js';
import { unknownCommandError } from './usage-error.js';

const hook: Hook<'command_not_found'> = async function (options) {
  const commands = options.config.commands
    .filter((command) => command.hidden !== true)
    .map((command) => ({ id: command.id, flags: command.flags, args: command.args }));
  const error = unknownCommandError(options.id, commands);
  const argv = options.argv ?? [];
  const end = argv.indexOf('--');
  const json = (end === -1 ? argv : argv.slice(0, end)).includes('--json');
  if (json) process.stdout.write(`${JSON.stringify(errorToJson(error), null, 2)}\n`);
  else process.stderr.write(`${renderError(error)}\n`);
  this.exit(error.exitCode);
};

export default hook;
