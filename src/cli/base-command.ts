/**
 * The parent of every bentoctl command: `--json` on all of them, and one place that turns
 * failures into a message and a non-zero exit status (no stack trace unless DEBUG is set).
 */
import { Command } from '@oclif/core/command';
import * as Errors from '@oclif/core/errors';
import { z } from 'zod';
import { BentoctlError, errors } from '../errors/index.js';
import { errorToJson, renderError } from './render-error.js';
import { usageError } from './usage-error.js';

// A command parses each schema about once. zod's default compiles a specialised parser (with
// `new Function`) on first use, which costs more than it saves for a single parse: loading a
// config took 27 ms with it and 19 ms without (median of 9).
z.config({ jitless: true });

/** @inquirer/prompts' errors for Ctrl-C, a closed terminal and an aborted prompt, by name so no prompt code loads here. */
const PROMPT_CANCELLED = new Set(['ExitPromptError', 'AbortPromptError', 'CancelPromptError']);

/**
 * System error codes that describe the machine (permissions, space, a file where a folder must
 * be), not a mistake in bentoctl. ENOENT is not among them: the paths a user names are checked
 * with their own errors, so a missing file that escapes is more likely our bug.
 */
const ENVIRONMENT_ERRNOS = new Set([
  'EACCES',
  'EPERM',
  'EROFS',
  'ENOSPC',
  'EDQUOT',
  'EISDIR',
  'ENOTDIR',
  'ENAMETOOLONG',
  'EMFILE',
  'ENFILE',
  'ELOOP',
  'EBUSY',
  'ETXTBSY',
  'EIO',
]);

/** How a command prints, chosen once: oclif drops both under `--json`, which prints the result. */
export interface CommandView {
  readonly json: boolean;
  /** Progress lines, to stderr. */
  readonly progress: (line: string) => void;
  /** Result lines, to stdout. */
  readonly log: (line: string) => void;
}

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;

  /** The command's view, for library calls that report as they go. */
  protected view(): CommandView {
    return {
      json: this.jsonEnabled(),
      progress: (line) => this.logToStderr(line),
      log: (line) => this.log(line),
    };
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    // `this.exit()` ends a command through an ExitError that carries its status.
    if (error instanceof Errors.ExitError) return super.catch(error);
    const known = this.asBentoctlError(error);
    if (this.jsonEnabled()) this.logJson(errorToJson(known));
    else this.logToStderr(renderError(known));
    if (known.kind === 'internal' && process.env.DEBUG) this.logToStderr(error.stack ?? '');
    this.exit(this.exitCodeFor(known));
  }

  /** The exit status of a failure; a command may map it (`plan --detailed-exitcode`). */
  protected exitCodeFor(error: BentoctlError): number {
    return error.exitCode;
  }

  /** True when the raw argv holds `flag` before any `--`; usable before (or when) parsing fails. */
  protected argvHas(flag: string): boolean {
    const end = this.argv.indexOf('--');
    return (end === -1 ? this.argv : this.argv.slice(0, end)).includes(flag);
  }

  private asBentoctlError(error: Error): BentoctlError {
    if (error instanceof BentoctlError) return error;
    if (error instanceof Errors.CLIError) {
      return usageError(error, {
        id: this.id ?? '',
        flags: { ...this.ctor.baseFlags, ...this.ctor.flags },
        args: this.ctor.args ?? {},
      });
    }
    if (PROMPT_CANCELLED.has(error.name)) return errors.cancelled();
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && ENVIRONMENT_ERRNOS.has(code) && 'syscall' in error)
      return errors.fileSystem(error as NodeJS.ErrnoException);
    return errors.internal(error);
  }
}
