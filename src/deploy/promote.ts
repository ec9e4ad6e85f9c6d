/**
 * `bentoctl promote`: production runs the exact image staging was tested with. The digest
 * staging runs (its apply record; else its last build) is copied into the repository the
 * production deployment pushes to (its own, by default) and becomes its build record, so the
 * next `apply -f prod.yaml` pins it without a rebuild. The copy keeps the digest, and the
 * destination is checked to serve it.
 */
import {
  copyToDeployment,
  type CopyToDeploymentInput,
} from '../builders/registry-copy/copy-to-deployment.js';
import type { CopyImageResult } from '../builders/registry-copy/copy-image.js';
import { deploymentPathsOf } from '../config/deployment-paths.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { errors } from '../errors/index.js';
import { readApplyRecord, readBuildRecord, writeBuildRecord } from './deployment-records.js';

export interface PromoteInput {
  readonly from: ResolvedConfig;
  readonly to: ResolvedConfig;
  /** Registry clients and transfer settings of the copy; tests replace them. */
  readonly registry?: Pick<CopyToDeploymentInput, 'providers' | 'fetch' | 'transfer'>;
  /** One line per step of the copy. */
  readonly onProgress?: (line: string) => void;
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
  /** What the copy did; null when both pull from the same repository. */
  readonly copy: CopyImageResult | null;
  /** Done on the way, e.g. the destination repository created. */
  readonly notes: readonly string[];
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
  // Each side's records are beside its own config.
  const fromPaths = deploymentPathsOf(from);
  const toPaths = deploymentPathsOf(to);
  const appliedRecord = readApplyRecord(fromPaths);
  const applied = appliedRecord?.image ?? undefined;
  const built = readBuildRecord(fromPaths.buildRecord);
  const source =
    applied !== undefined && applied !== null
      ? { ...applied, kind: 'apply-record' as const }
      : built === undefined
        ? undefined
        : { ...built, kind: 'build-record' as const };
  if (source === undefined) throw errors.imageNotRecorded(from.name, fromPaths.buildRecord);

  // Version and tag travel with the image: from the build record when it describes the same
  // digest, else from the apply record (builds tag images with their bento version). A tag
  // matters: ECR's lifecycle policy expires untagged images after a few days.
  const sameBuild = built !== undefined && built.digest === source.digest ? built : undefined;
  const appliedVersion =
    source.kind === 'apply-record' ? (appliedRecord?.bento_version ?? undefined) : undefined;
  const bentoVersion = sameBuild?.bento_version ?? appliedVersion;
  const tag = sameBuild?.tag ?? appliedVersion;
  const copied = await copyToDeployment({
    image: { repository: source.repository, digest: source.digest, tag },
    to,
    ...input.registry,
    ...(input.onProgress === undefined ? {} : { onProgress: input.onProgress }),
  });
  const file = toPaths.buildRecord;
  writeBuildRecord(file, {
    repository: copied.repository,
    digest: copied.digest,
    ...(tag !== undefined ? { tag } : {}),
    ...(bentoVersion !== undefined ? { bento_version: bentoVersion } : {}),
    promoted_from: from.name,
  });
  return {
    from: from.name,
    to: to.name,
    digest: copied.digest,
    source: source.kind,
    fromRepository: source.repository,
    toRepository: copied.repository,
    copied: copied.copy !== null,
    copy: copied.copy,
    notes: copied.notes,
    buildRecord: file,
  };
}
