/**
 * Which image a generated stack runs. `--image` wins; otherwise the build record that
 * `bentoctl build --push` leaves at `.bentoctl/<name>/build.json`, so the stack pins the digest
 * that was really pushed.
 *
 * Build record format (JSON, written by the builder, read here):
 *
 * ```json
 * {
 *   "repository": "123456789012.dkr.ecr.us-east-1.amazonaws.com/iris-prod",
 *   "digest": "sha256:<64 hex>",
 *   "tag": "<bento version>",
 *   "bento_version": "<bento content hash>"
 * }
 * ```
 *
 * `repository` and `digest` are required; `tag` and `bento_version` are optional. Unknown keys
 * are ignored so that newer builders can add fields.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { errors } from '../errors/index.js';
import type { ImageReference } from './synthesizer.js';

const REPOSITORY =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d{1,5})?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export const buildRecordSchema = z.object({
  repository: z.string().regex(REPOSITORY, 'must be a registry repository'),
  digest: z.string().regex(DIGEST, 'must be sha256:<64 hex digits>'),
  tag: z.string().regex(TAG, 'must be an image tag').optional(),
  bento_version: z.string().min(1).optional(),
});

export type BuildRecord = z.output<typeof buildRecordSchema>;

/** An image reference plus where it came from, so `generate` can say which one it used. */
export interface ResolvedImage {
  readonly image: ImageReference;
  readonly source: 'flag' | 'build-record';
  /** The bento version the image was built from, when the build record says. */
  readonly bentoVersion?: string;
}

/** Parses `repository[:tag][@sha256:<64 hex>]`, or returns undefined when it is not one. */
export function parseImageReference(value: string): ImageReference | undefined {
  const at = value.indexOf('@');
  const digest = at >= 0 ? value.slice(at + 1) : undefined;
  const name = at >= 0 ? value.slice(0, at) : value;
  if (digest !== undefined && !DIGEST.test(digest)) return undefined;
  // A colon after the last slash starts the tag; one before it is a registry port.
  const colon = name.lastIndexOf(':');
  const hasTag = colon > name.lastIndexOf('/');
  const repository = hasTag ? name.slice(0, colon) : name;
  const tag = hasTag ? name.slice(colon + 1) : undefined;
  if (!REPOSITORY.test(repository) || (tag !== undefined && !TAG.test(tag))) return undefined;
  if (digest === undefined && tag === undefined) return undefined;
  return imageReference(repository, digest, tag);
}

export function imageReference(repository: string, digest?: string, tag?: string): ImageReference {
  return {
    repository,
    ...(digest !== undefined ? { digest } : {}),
    ...(tag !== undefined ? { tag } : {}),
    ref: digest !== undefined ? `${repository}@${digest}` : `${repository}:${tag ?? 'latest'}`,
  };
}

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

/** `--image` when given, else the build record, else an error that says how to get one. */
export function resolveImage(options: {
  readonly flag: string | undefined;
  readonly buildRecordFile: string;
  readonly deployment: string;
}): ResolvedImage {
  if (options.flag !== undefined) {
    const image = parseImageReference(options.flag);
    if (image === undefined) {
      throw errors.flagInvalid(
        'image',
        options.flag,
        'repository[:tag][@sha256:<64 hex>] with a tag, a digest or both',
      );
    }
    return { image, source: 'flag' };
  }
  const record = readBuildRecord(options.buildRecordFile);
  if (record === undefined)
    throw errors.imageNotRecorded(options.deployment, options.buildRecordFile);
  return {
    image: imageReference(record.repository, record.digest, record.tag),
    source: 'build-record',
    ...(record.bento_version !== undefined ? { bentoVersion: record.bento_version } : {}),
  };
}
