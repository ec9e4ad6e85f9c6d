/**
 * `bentoctl promote`: production runs the exact image staging was tested with. The digest
 * staging runs (its apply record; else its last build) becomes the production deployment's
 * build record, so the next `apply -f prod.yaml` pins it without a rebuild. When production
 * pulls from another repository, the image is copied there first (by digest, so it stays the
 * same image) through the builder's copier.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { deploymentPaths } from '../config/deployment-paths.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { errors } from '../errors/index.js';
import { readBuildRecord, type BuildRecord } from '../targets/image-reference.js';
import { readApplyRecord } from './apply-record.js';

/** Copies an image by digest between repositories (the builder's job). */
export type ImageCopier = (
  source: { readonly repository: string; readonly digest: string },
  toRepository: string,
) => Promise<{ readonly digest: string }>;

export interface PromoteInput {
  readonly from: ResolvedConfig;
  readonly to: ResolvedConfig;
  /** Where the production image must be: its `image.repository`, or the builder's default. */
  readonly toRepository: string;
  readonly copier: ImageCopier | undefined;
  /** @default process.cwd() */
  readonly cwd?: string;
}

export interface PromoteResult {
  readonly from: string;
  readonly to: string;
  readonly digest: string;
  /** Which record of `from` the digest came from. */
  readonly source: 'apply-record' | 'build-record';
  readonly fromRepository: string;
  readonly toRepository: string;
  readonly copied: boolean;
  /** The production build record written. */
  readonly buildRecord: string;
}

export async function promoteImage(input: PromoteInput): Promise<PromoteResult> {
  const { from, to } = input;
  if (from.name === to.name) {
    throw errors.flagInvalid(
      'to',
      to.source.file,
      `a config of another deployment than ${from.name} (both are ${from.name})`,
    );
  }
  const cwd = input.cwd ?? process.cwd();
  const fromPaths = deploymentPaths(from.name, cwd);
  const applied = readApplyRecord(fromPaths)?.image ?? undefined;
  const built = readBuildRecord(fromPaths.buildRecord);
  const source =
    applied !== undefined && applied !== null
      ? { ...applied, kind: 'apply-record' as const }
      : built === undefined
        ? undefined
        : { ...built, kind: 'build-record' as const };
  if (source === undefined) throw errors.imageNotRecorded(from.name, fromPaths.buildRecord);

  let digest = source.digest;
  const copied = source.repository !== input.toRepository;
  if (copied) {
    if (input.copier === undefined)
      throw errors.imageCopyUnavailable(source.repository, input.toRepository);
    ({ digest } = await input.copier(
      { repository: source.repository, digest: source.digest },
      input.toRepository,
    ));
  }
  // Version and tag travel with the image when the build record describes the same digest.
  const sameBuild = built !== undefined && built.digest === source.digest ? built : undefined;
  const record: BuildRecord & { readonly promoted_from: string } = {
    repository: input.toRepository,
    digest,
    ...(sameBuild?.tag !== undefined ? { tag: sameBuild.tag } : {}),
    ...(sameBuild?.bento_version !== undefined ? { bento_version: sameBuild.bento_version } : {}),
    promoted_from: from.name,
  };
  const file = deploymentPaths(to.name, cwd).buildRecord;
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(temporary, file);
  return {
    from: from.name,
    to: to.name,
    digest,
    source: source.kind,
    fromRepository: source.repository,
    toRepository: input.toRepository,
    copied,
    buildRecord: file,
  };
}
