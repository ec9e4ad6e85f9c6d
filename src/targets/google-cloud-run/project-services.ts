import { ProjectService } from '@cdktf/provider-google/lib/project-service/index.js';
import type { Construct } from 'constructs';

/** The Google APIs a Cloud Run deployment uses, in a stable order. */
export const CLOUD_RUN_PROJECT_SERVICES = [
  'artifactregistry.googleapis.com',
  'iam.googleapis.com',
  'run.googleapis.com',
  'secretmanager.googleapis.com',
] as const;

/**
 * Enables the APIs. Destroying a deployment leaves them on: other workloads in the project may
 * use them, and disabling an API deletes that API's resources project-wide.
 */
export function enableProjectServices(
  scope: Construct,
  project: string,
): InstanceType<typeof ProjectService>[] {
  return CLOUD_RUN_PROJECT_SERVICES.map(
    (service) =>
      new ProjectService(scope, `service_${service.split('.')[0] ?? service}`, {
        project,
        service,
        disableOnDestroy: false,
        disableDependentServices: false,
      }),
  );
}
