#!/usr/bin/env node
// Development entry point: runs commands from the compiled dist after `npm run build`, with
// oclif's development mode on (verbose errors, no manifest cache).
import { execute } from '@oclif/core/execute';

await execute({ development: true, dir: import.meta.url });
