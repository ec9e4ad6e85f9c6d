/**
 * The identity Cloud Run instances run as, and the only access it gets: read each secret the
 * container uses, granted on that secret rather than project-wide. It needs nothing to pull
 * the image: Cloud Run pulls with its service agent, which reads same-project repositories.
 */
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member/index.js';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account/index.js';
import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { secretResourceName, type SecretManagerReference } from './secret-reference.js';

export interface RuntimeIdentityProps {
  readonly project: string;
  /** An existing account to run as. @default - a dedicated account is created */
  readonly serviceAccountEmail?: string;
  readonly accountId: string;
  readonly deployment: string;
  readonly secrets: readonly SecretManagerReference[];
  readonly dependsOn: readonly ITerraformDependable[];
}

export interface RuntimeIdentity {
  readonly email: string;
  /** Every grant the service needs before its first revision can start. */
  readonly grants: readonly ITerraformDependable[];
}

export function addRuntimeIdentity(scope: Construct, props: RuntimeIdentityProps): RuntimeIdentity {
  const email =
    props.serviceAccountEmail ??
    new ServiceAccount(scope, 'runtime_service_account', {
      project: props.project,
      accountId: props.accountId,
      displayName: `bentoctl ${props.deployment} runtime`,
      description: `Runs the Cloud Run service of the bentoctl deployment ${props.deployment}; reads only its own secrets.`,
      dependsOn: [...props.dependsOn],
    }).email;

  const grants: InstanceType<typeof SecretManagerSecretIamMember>[] = [];
  const usedIds = new Set<string>();
  for (const resourceName of uniqueResourceNames(props.secrets, props.project)) {
    const id = uniqueId(`secret_accessor_${slug(resourceName.split('/').pop() ?? '')}`, usedIds);
    grants.push(
      new SecretManagerSecretIamMember(scope, id, {
        project: resourceName.split('/')[1],
        secretId: resourceName,
        role: 'roles/secretmanager.secretAccessor',
        member: `serviceAccount:${email}`,
        dependsOn: [...props.dependsOn],
      }),
    );
  }
  return { email, grants };
}

/** Two env vars may read the same secret (at different versions); it is granted once. */
function uniqueResourceNames(
  secrets: readonly SecretManagerReference[],
  project: string,
): string[] {
  return [...new Set(secrets.map((secret) => secretResourceName(secret, project)))].sort();
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

/** Secrets such as `api-key` and `api_key` share a slug; the later one gets a counter. */
function uniqueId(base: string, used: Set<string>): string {
  let id = base;
  for (let n = 2; used.has(id); n += 1) id = `${base}_${n}`;
  used.add(id);
  return id;
}
