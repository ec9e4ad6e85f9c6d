/** The flags `release promote` and `release abort` share with `apply`. */
import * as Flags from '@oclif/core/flags';
import { configFileFlag } from './config-flag.js';

export const releaseMoveFlags = {
  file: configFileFlag,
  'auto-approve': Flags.boolean({
    summary: 'Apply without asking (required without a terminal).',
  }),
  wait: Flags.boolean({
    summary: 'Wait until <endpoint>/readyz answers from the revision that now takes all traffic.',
    default: true,
    allowNo: true,
  }),
  'wait-timeout': Flags.integer({
    summary: 'Seconds to wait for the endpoint to answer from that revision.',
    default: 300,
    min: 1,
  }),
  generate: Flags.boolean({
    summary:
      'Generate the stack first (from the candidate release image); --no-generate applies the stack already in .bentoctl/<name>/stack.',
    default: true,
    allowNo: true,
  }),
};
