/**
 * Cloud Run imports the image with its service agent
 * (`service-<project number>@serverless-robot-prod.iam.gserviceaccount.com`), which reads
 * Artifact Registry repositories of its own project only. An image in another project's
 * repository needs that agent granted `roles/artifactregistry.reader` on the repository, or
 * the first revision fails with "permission denied" on the image.
 */
import { ArtifactRegistryRepositoryIamMember } from '@cdktf/provider-google/lib/artifact-registry-repository-iam-member/index.js';
import { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project/index.js';
import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { artifactRegistryRepository } from './image-source.js';

/** The reader grant for an image in another project's repository, or undefined when none is needed. */
export function addCrossProjectImageAccess(
  scope: Construct,
  props: {
    readonly project: string;
    readonly imageRepository: string;
    readonly dependsOn: readonly ITerraformDependable[];
  },
): InstanceType<typeof ArtifactRegistryRepositoryIamMember> | undefined {
  const home = artifactRegistryRepository(props.imageRepository);
  if (home === undefined || home.project === props.project) return undefined;
  // The agent's address carries the project number, which only the API knows.
  const deployment = new DataGoogleProject(scope, 'deployment_project', {
    projectId: props.project,
  });
  return new ArtifactRegistryRepositoryIamMember(scope, 'image_reader_for_cloud_run', {
    project: home.project,
    location: home.location,
    repository: home.repositoryId,
    role: 'roles/artifactregistry.reader',
    member: `serviceAccount:service-${deployment.number}@serverless-robot-prod.iam.gserviceaccount.com`,
    // The agent exists once run.googleapis.com is enabled.
    dependsOn: [...props.dependsOn],
  });
}
