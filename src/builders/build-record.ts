/**
 * Writes the build record `generate` reads (`.bentoctl/<name>/build.json`): the format and its
 * reader live in src/targets/image-reference.ts; the record is checked against that schema
 * before it is written, and replaced atomically so a reader never sees half a file.
 */
import { writeJsonAtomic } from '../write-atomic.js';
import { errors } from '../errors/index.js';
import { buildRecordSchema, type BuildRecord } from '../targets/image-reference.js';

export function writeBuildRecord(file: string, record: BuildRecord): void {
  const parsed = buildRecordSchema.safeParse(record);
  if (!parsed.success) {
    throw errors.internal(
      `the build record for ${record.repository} is not valid: ${parsed.error.message}`,
    );
  }
  writeJsonAtomic(file, parsed.data);
}
