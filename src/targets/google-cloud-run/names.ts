/**
 * Names of the Google Cloud resources a Cloud Run deployment creates, derived from the
 * deployment name so that one name finds everything in the console. Each fits its resource's
 * rules; too long ones are cut and end in a hash (see fitName).
 */
import { fitName } from '../common/naming.js';
import type { CloudRunSpec } from './spec.js';

/** Cloud Run service names: at most 49 characters (lowercase letters, digits, hyphens). */
export const CLOUD_RUN_SERVICE_NAME_MAX = 49;
/** Service account ids: 6-30 characters. */
export const SERVICE_ACCOUNT_ID_MAX = 30;
/** Artifact Registry repository ids: at most 63 characters. */
export const REPOSITORY_ID_MAX = 63;

export interface CloudRunNames {
  readonly service: string;
  readonly serviceAccountId: string;
  readonly repositoryId: string;
}

export function cloudRunNames(deployment: string): CloudRunNames {
  return {
    service: fitName(deployment, CLOUD_RUN_SERVICE_NAME_MAX),
    // The suffix also lifts one-letter deployment names over the 6-character minimum.
    serviceAccountId: fitName(`${deployment}-runtime`, SERVICE_ACCOUNT_ID_MAX),
    repositoryId: fitName(deployment, REPOSITORY_ID_MAX),
  };
}

/** `<region>-docker.pkg.dev/<project>/<repository>/<deployment>`: where `build` pushes by default. */
export function defaultCloudRunImageRepository(
  spec: Pick<CloudRunSpec, 'project' | 'region'>,
  deployment: string,
): string {
  return `${spec.region}-docker.pkg.dev/${spec.project}/${cloudRunNames(deployment).repositoryId}/${deployment}`;
}
