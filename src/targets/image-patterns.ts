/**
 * The shapes of an image reference's parts, as the OCI distribution spec allows them: used to
 * check `--image` values and the repository, tag and digest a build record holds.
 */

/** `host[:port]/path/parts`, lowercase, with `.`, `_`, `__` or dashes inside a part. */
export const REPOSITORY_PATTERN =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d{1,5})?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
/** Up to 128 letters, digits, `_`, `.`, `-`; not starting with `.` or `-`. */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** The only digest algorithm registries serve for manifests. */
export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;
