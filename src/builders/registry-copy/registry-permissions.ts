/**
 * What a 403 means in each registry family: the permission the credentials lack, named as that
 * cloud names it, so the error says what to grant.
 */
import type { RegistryFamily } from '../registry-auth/push-credentials.js';

export type RegistryRole = 'source' | 'destination';

const NEEDED: Readonly<Record<RegistryFamily, Readonly<Record<RegistryRole, string>>>> = {
  ecr: {
    source:
      'ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on the source repository (and, in another account, a repository policy that allows them)',
    destination:
      'ecr:BatchCheckLayerAvailability, ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:PutImage and ecr:BatchGetImage on the destination repository',
  },
  'artifact-registry': {
    source: 'roles/artifactregistry.reader on the source repository',
    destination:
      'roles/artifactregistry.writer on the destination repository (and roles/artifactregistry.reader on the source for a mount)',
  },
  acr: {
    source: 'the AcrPull role on the source registry',
    destination: 'the AcrPush role on the destination registry',
  },
  'docker-config': {
    source: 'pull access to the source repository',
    destination: 'push access to the destination repository',
  },
};

export function neededPermission(family: RegistryFamily, role: RegistryRole): string {
  return NEEDED[family][role];
}
