/**
 * Writes a file the user named on the command line (`init --output`, `plan --markdown`),
 * creating its folder. Any refusal by the system is about that path, so it is reported as
 * FILE_SYSTEM_ERROR naming it, never as a bug.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { errors } from '../errors/index.js';

export function writeOutputFile(path: string, text: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (cause) {
    if (typeof (cause as NodeJS.ErrnoException).code === 'string')
      throw errors.fileSystem(cause as NodeJS.ErrnoException);
    throw cause;
  }
}
