/**
 * The parent of every bentoctl command: `--json` on all of them, and one place that turns
 * failures into a message and a non-zero exit status (no stack trace unless DEBUG is set).
 */
import { Command } from '@oclif/core/command';
import * as Errors from '@oclif/core/errors';
import { z } from 'zod';
import { BentoctlError, errors } from '../errors/index.js';
import { errorToJson, renderError } from './render-error.js';

// A command parses each schema about once. zod's default compiles a specialised parser (with
// `new Function`) on first use, which costs more than it saves for a single parse: loading a
// config took 27 ms with it and 19 ms without (median of 9).
z.config({ jitless: true });

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    // oclif's own errors (bad flags, `this.exit`) already carry their message and status.
    if (error instanceof Errors.ExitError || error instanceof Errors.CLIError) {
      if (!(error instanceof Errors.ExitError) && this.jsonEnabled()) {
        this.logJson({
          error: {
            code: 'USAGE',
            kind: 'usage',
            message: error.message,
            hint: null,
            diagnostics: [],
          },
        });
        this.exit(error.oclif?.exit ?? 2);
      }
      return super.catch(error);
    }
    const known = error instanceof BentoctlError ? error : errors.internal(error);
    if (this.jsonEnabled()) this.logJson(errorToJson(known));
    else this.logToStderr(renderError(known));
    if (known.kind === 'internal' && process.env.DEBUG) this.logToStderr(error.stack ?? '');
    this.exit(known.exitCode);
  }
}
