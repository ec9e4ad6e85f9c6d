import { ArtifactRegistryRepository } from '@cdktf/provider-google/lib/artifact-registry-repository/index.js';
import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';

/** Image versions kept whatever their age: enough to roll back a few deploys. */
export const KEEP_RECENT_VERSIONS = 10;
/** Untagged images (left behind when a tag moves) are deleted after this long. */
export const UNTAGGED_RETENTION_SECONDS = 30 * 24 * 3600;

export interface ArtifactRegistryProps {
  readonly project: string;
  readonly region: string;
  readonly repositoryId: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly dependsOn: readonly ITerraformDependable[];
}

/**
 * The Docker repository `bentoctl build` pushes to. Keep policies win over delete policies in
 * Artifact Registry, so the newest versions (including the running digest, unless ten newer
 * ones were pushed since) survive the untagged clean-up.
 */
export function addArtifactRegistry(
  scope: Construct,
  props: ArtifactRegistryProps,
): InstanceType<typeof ArtifactRegistryRepository> {
  return new ArtifactRegistryRepository(scope, 'artifact_registry', {
    project: props.project,
    location: props.region,
    repositoryId: props.repositoryId,
    format: 'DOCKER',
    description: `Images of the ${props.repositoryId} bentoctl deployment`,
    labels: { ...props.labels },
    cleanupPolicyDryRun: false,
    cleanupPolicies: [
      {
        id: 'keep-recent',
        action: 'KEEP',
        mostRecentVersions: { keepCount: KEEP_RECENT_VERSIONS },
      },
      {
        id: 'delete-untagged',
        action: 'DELETE',
        condition: { tagState: 'UNTAGGED', olderThan: `${UNTAGGED_RETENTION_SECONDS}s` },
      },
    ],
    dependsOn: [...props.dependsOn],
  });
}
