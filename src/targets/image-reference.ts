/**
 * Which image a generated stack runs. `--image` wins; otherwise the build record that
 * `bentoctl build --push` leaves at `.bentoctl/<name>/build.json`, so the stack pins the digest
 * that was really pushed.
 *
 * The build record's format, reader and writer are in src/deploy/deployment-records.ts.
 */
import { readBuildRecord } from '../deploy/deployment-records.js';
import { errors } from '../errors/index.js';
import {
  DIGEST_PATTERN as DIGEST,
  REPOSITORY_PATTERN as REPOSITORY,
  TAG_PATTERN as TAG,
} from './image-patterns.js';
import type { ImageReference } from './synthesizer.js';

/** An image reference plus where it came from, so `generate` can say which one it used. */
export interface ResolvedImage {
  readonly image: ImageReference;
  readonly source: 'flag' | 'build-record';
  /** The bento version the image was built from, when the build record says. */
  readonly bentoVersion?: string;
}

/** The form `--image` takes, as error messages show it. */
export const IMAGE_REFERENCE_FORM = 'repository[:tag][@sha256:<64 hex>]';

/**
 * Words a shell or jq prints for a value that is not there (`jq -r .tag` of a missing field is
 * `null`): as a tag or repository part they mean a script lost the value, not a real image.
 */
const UNSET_WORDS = new Set(['null', 'undefined', 'none', 'nil']);

/** Parses `repository[:tag][@sha256:<64 hex>]`, or returns undefined when it is not one. */
export function parseImageReference(value: string): ImageReference | undefined {
  const checked = checkImageReference(value);
  return 'image' in checked ? checked.image : undefined;
}

/**
 * Parses an image reference, or says what is wrong with it: an empty part, a bad digest, a
 * repository or tag that is not one, or a word like `null` where a value was lost.
 */
export function checkImageReference(
  value: string,
): { readonly image: ImageReference } | { readonly problem: string } {
  if (value.trim() === '') return { problem: 'it is empty' };
  if (/\s/.test(value)) return { problem: 'it contains whitespace' };
  const at = value.indexOf('@');
  const digest = at >= 0 ? value.slice(at + 1) : undefined;
  const name = at >= 0 ? value.slice(0, at) : value;
  if (digest === '') return { problem: 'the digest after @ is empty' };
  if (digest !== undefined && !DIGEST.test(digest)) {
    return { problem: `the digest ${JSON.stringify(digest)} is not sha256:<64 lowercase hex>` };
  }
  // A colon after the last slash starts the tag; one before it is a registry port.
  const colon = name.lastIndexOf(':');
  const hasTag = colon > name.lastIndexOf('/');
  const repository = hasTag ? name.slice(0, colon) : name;
  const tag = hasTag ? name.slice(colon + 1) : undefined;
  if (repository === '') return { problem: 'the repository is empty' };
  if (tag === '') return { problem: 'the tag after : is empty' };
  const unset = [...repository.split('/'), ...(tag === undefined ? [] : [tag])].find((part) =>
    UNSET_WORDS.has(part.toLowerCase()),
  );
  if (unset !== undefined) {
    return {
      problem: `"${unset}" stands where a repository or tag belongs: the value was lost on the way (jq -r prints null for a missing field)`,
    };
  }
  if (repository.split('/').some((part) => part === '')) {
    return { problem: `the repository ${JSON.stringify(repository)} has an empty path part` };
  }
  if (!REPOSITORY.test(repository)) {
    return {
      problem: `the repository ${JSON.stringify(repository)} is not a registry repository (lowercase letters, digits and . _ - inside parts, / between them, an optional host:port first)`,
    };
  }
  if (tag !== undefined && !TAG.test(tag)) {
    return {
      problem: `the tag ${JSON.stringify(tag)} is not an image tag (up to 128 letters, digits, _ . -, not starting with . or -)`,
    };
  }
  if (digest === undefined && tag === undefined) {
    return { problem: 'it names neither a tag nor a digest' };
  }
  return { image: imageReference(repository, digest, tag) };
}

/** Parses an `--image` flag value; a malformed one is a usage error naming the flag. */
export function imageFlag(value: string, flag = 'image'): ImageReference {
  const checked = checkImageReference(value);
  if ('problem' in checked) throw errors.imageReferenceInvalid(flag, value, checked.problem);
  return checked.image;
}

export function imageReference(repository: string, digest?: string, tag?: string): ImageReference {
  return {
    repository,
    ...(digest !== undefined ? { digest } : {}),
    ...(tag !== undefined ? { tag } : {}),
    ref: digest !== undefined ? `${repository}@${digest}` : `${repository}:${tag ?? 'latest'}`,
  };
}

/** `--image` when given, else the build record, else an error that says how to get one. */
export function resolveImage(options: {
  readonly flag: string | undefined;
  readonly buildRecordFile: string;
  readonly deployment: string;
}): ResolvedImage {
  if (options.flag !== undefined) return { image: imageFlag(options.flag), source: 'flag' };
  const record = readBuildRecord(options.buildRecordFile);
  if (record === undefined)
    throw errors.imageNotRecorded(options.deployment, options.buildRecordFile);
  return {
    image: imageReference(record.repository, record.digest, record.tag),
    source: 'build-record',
    ...(record.bento_version !== undefined ? { bentoVersion: record.bento_version } : {}),
  };
}
