/**
 * The records bentoctl keeps about a deployment, in one place: each format (a zod schema), its
 * reader and its writer. Every command reads and writes them through this module.
 *
 * - **Build record**, `<deployment folder>/build.json`: the image `build --push` pushed or
 *   `promote` copied in; `generate` pins its digest. Written by bentoctl only; unknown keys are
 *   ignored on read so that a newer bentoctl can add fields.
 *
 *   ```json
 *   {
 *     "repository": "123456789012.dkr.ecr.us-east-1.amazonaws.com/iris-prod",
 *     "digest": "sha256:<64 hex>",
 *     "tag": "<bento version>",
 *     "bento_version": "<bento content hash>",
 *     "promoted_from": "<deployment>"
 *   }
 *   ```
 *   `repository` and `digest` are required, the rest optional.
 * - **Apply record**, `<deployment folder>/apply.json`: what the last successful apply ran;
 *   removed by destroy. `list`, `status` and `promote` read it. Informational: an unreadable one
 *   reads as none.
 * - **Release**: one entry of the release history, which lives in the Terraform state
 *   (release-stack-file.ts writes it there; release-history.ts decides when an entry is added).
 *   Flat, every field always present (null when unknown): Terraform stores the list as a tuple of
 *   objects, and the same shape in every entry keeps its type stable from plan to plan.
 *
 * Files are written with writeJsonAtomic: a reader never sees half a record.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { DeploymentPaths } from '../config/deployment-paths.js';
import { errors } from '../errors/index.js';
import { DIGEST_PATTERN, REPOSITORY_PATTERN, TAG_PATTERN } from '../targets/image-patterns.js';
import { writeJsonAtomic } from '../write-atomic.js';

/** The build record's file name, in a deployment folder and in a saved plan. */
export const BUILD_RECORD_FILE = 'build.json';
/** The apply record's file name in a deployment folder. */
export const APPLY_RECORD_FILE = 'apply.json';

export const buildRecordSchema = z.object({
  repository: z.string().regex(REPOSITORY_PATTERN, 'must be a registry repository'),
  digest: z.string().regex(DIGEST_PATTERN, 'must be sha256:<64 hex digits>'),
  tag: z.string().regex(TAG_PATTERN, 'must be an image tag').optional(),
  bento_version: z.string().min(1).optional(),
  /** Set by `promote`: the deployment whose image this is. */
  promoted_from: z.string().min(1).optional(),
});

export type BuildRecord = z.output<typeof buildRecordSchema>;

/** The build record in `file`; undefined when there is none, BUILD_RECORD_INVALID when broken. */
export function readBuildRecord(file: string): BuildRecord | undefined {
  if (!existsSync(file)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw errors.buildRecordInvalid(file, cause instanceof Error ? cause.message : String(cause));
  }
  const parsed = buildRecordSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw errors.buildRecordInvalid(
      file,
      `${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  return parsed.data;
}

/** Checks the record against its schema (a bad one is our bug) and writes it atomically. */
export function writeBuildRecord(file: string, record: BuildRecord): void {
  const parsed = buildRecordSchema.safeParse(record);
  if (!parsed.success) {
    throw errors.internal(
      `the build record for ${record.repository} is not valid: ${parsed.error.message}`,
    );
  }
  writeJsonAtomic(file, parsed.data);
}

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
  return join(paths.root, APPLY_RECORD_FILE);
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

export function writeApplyRecord(paths: DeploymentPaths, record: ApplyRecord): void {
  writeJsonAtomic(applyRecordFile(paths), record);
}

export function removeApplyRecord(paths: DeploymentPaths): void {
  rmSync(applyRecordFile(paths), { force: true });
}

export const releaseSchema = z.object({
  /** 1, 2, 3... per deployment, never reused. */
  number: z.number().int().positive(),
  /** ISO 8601 time the release was planned by the apply that recorded it. */
  recorded_at: z.string(),
  kind: z.enum(['apply', 'rollback']),
  bento_version: z.string().nullable(),
  image_repository: z.string().nullable(),
  image_digest: z.string().nullable(),
  /** sha256 of the resolved config (release-history.ts configDigest). */
  config_digest: z.string(),
  /** `github:<actor>`, `gitlab:<user>`, or `<os user>@<host>`. */
  by: z.string(),
  /** The CI run that applied it, when there was one. */
  run_url: z.string().nullable(),
  /** For a rollback: the release whose image it restored. */
  rollback_to: z.number().int().nullable(),
  /** For a rollback: the release that was current before it. */
  rollback_of: z.number().int().nullable(),
});

export type Release = z.output<typeof releaseSchema>;

export const releaseHistorySchema = z.array(releaseSchema);

/** A history read from the state (output `where`), oldest first; RELEASE_HISTORY_INVALID if not one. */
export function parseReleaseHistory(value: unknown, where: string): Release[] {
  const parsed = releaseHistorySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw errors.releaseHistoryInvalid(
      where,
      `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'not a release list'}`,
    );
  }
  return parsed.data;
}
