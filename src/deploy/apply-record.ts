/**
 * What bentoctl last applied for a deployment: `.bentoctl/<name>/apply.json`, written after each
 * successful apply and removed by destroy. `list` and `status` read it, and `promote` takes the
 * digest staging really runs from it, not merely the last one built.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { DeploymentPaths } from '../config/deployment-paths.js';
import { writeJsonAtomic } from '../write-atomic.js';

export const applyRecordSchema = z.object({
  deployment: z.string(),
  target: z.string(),
  /** The config file as given on the command line. */
  config_file: z.string(),
  /** ISO 8601 time the apply finished. */
  applied_at: z.string(),
  terraform_version: z.string(),
  bento_version: z.string().nullable(),
  image: z.object({ repository: z.string(), digest: z.string(), ref: z.string() }).nullable(),
  /** Outputs with sensitive values replaced by `(sensitive)`. */
  outputs: z.record(z.string(), z.unknown()),
});

export type ApplyRecord = z.output<typeof applyRecordSchema>;

export function applyRecordFile(paths: DeploymentPaths): string {
  return join(paths.root, 'apply.json');
}

/** The record, or undefined when there is none or it is unreadable (it is informational). */
export function readApplyRecord(paths: DeploymentPaths): ApplyRecord | undefined {
  const file = applyRecordFile(paths);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = applyRecordSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Writes through a temporary file so a crash never leaves half a record. */
export function writeApplyRecord(paths: DeploymentPaths, record: ApplyRecord): void {
  const file = applyRecordFile(paths);
  writeJsonAtomic(file, record);
}

export function removeApplyRecord(paths: DeploymentPaths): void {
  rmSync(applyRecordFile(paths), { force: true });
}
