/**
 * Terraform for the google-cloud-run target: the project APIs, the Artifact Registry
 * repository, the runtime service account with per-secret access, the Cloud Run v2 service
 * and, only for `public: true`, the allUsers invoker binding.
 *
 * Private by default: with `public: false` nobody may invoke the service until you grant
 * `roles/run.invoker` on it to your callers (a service account, a group, a load balancer's
 * identity). Everything here is GA in the google provider, so google-beta is not needed.
 */
import { TerraformOutput } from 'cdktf';
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member/index.js';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider/index.js';
import { errors } from '../../errors/index.js';
import { secretEnvVars } from '../common/secret-env-vars.js';
import type { Synthesizer } from '../synthesizer.js';
import { addArtifactRegistry } from './artifact-registry.js';
import { cloudRunNames, defaultCloudRunImageRepository } from './names.js';
import { enableProjectServices } from './project-services.js';
import { addRuntimeIdentity } from './runtime-identity.js';
import {
  parseSecretManagerReference,
  secretResourceName,
  SECRET_MANAGER_REFERENCE_FORM,
} from './secret-reference.js';
import { addCloudRunService, type SecretEnv } from './service.js';
import type { CloudRunSpec } from './spec.js';

export const synthesizeCloudRun: Synthesizer<CloudRunSpec> = (input) => {
  const { stack, config, spec } = input;
  const names = cloudRunNames(config.name);
  const labels = { ...input.labels, ...spec.labels };
  const secrets = secretEnvVars(config).map(({ name, reference }) => {
    const parsed = parseSecretManagerReference(reference);
    if (parsed === undefined) {
      throw errors.secretReferenceInvalid(name, reference, SECRET_MANAGER_REFERENCE_FORM);
    }
    return { name, parsed };
  });

  new GoogleProvider(stack, 'google', { project: spec.project, region: spec.region });
  const apis = enableProjectServices(stack, spec.project);

  // A repository given in `image:` is the user's to manage; bentoctl only creates its own.
  const imageRepository =
    config.image.repository ?? defaultCloudRunImageRepository(spec, config.name);
  if (config.image.repository === undefined) {
    const registry = addArtifactRegistry(stack, {
      project: spec.project,
      region: spec.region,
      repositoryId: names.repositoryId,
      labels,
      dependsOn: apis,
    });
    // `bentoctl build --push` creates the repository before the first push (the push needs
    // it); the stack adopts it instead of failing with "already exists". A no-op once in state.
    if (input.image.repository === imageRepository) {
      registry.importFrom(
        `projects/${spec.project}/locations/${spec.region}/repositories/${names.repositoryId}`,
      );
    }
  }

  const identity = addRuntimeIdentity(stack, {
    project: spec.project,
    ...(spec.service_account_email !== undefined
      ? { serviceAccountEmail: spec.service_account_email }
      : {}),
    accountId: names.serviceAccountId,
    deployment: config.name,
    secrets: secrets.map((secret) => secret.parsed),
    dependsOn: apis,
  });

  const secretEnv: SecretEnv[] = secrets.map(({ name, parsed }) => ({
    name,
    // Same-project secrets by name, others by full resource name: the forms Cloud Run documents.
    secret:
      (parsed.project ?? spec.project) === spec.project
        ? parsed.secret
        : secretResourceName(parsed, spec.project),
    version: parsed.version,
  }));
  const service = addCloudRunService(stack, {
    spec,
    name: names.service,
    image: input.image.ref,
    port: config.runtime.port,
    serviceAccountEmail: identity.email,
    environment: input.environment,
    secrets: secretEnv,
    labels,
    // Cloud Run checks secret access when it creates a revision, so the grants come first.
    dependsOn: [...apis, ...identity.grants],
  });

  if (spec.public) {
    new CloudRunV2ServiceIamMember(stack, 'public_invoker', {
      project: service.project,
      location: service.location,
      name: service.name,
      role: 'roles/run.invoker',
      member: 'allUsers',
    });
  }

  new TerraformOutput(stack, 'endpoint', {
    value: service.uri,
    description: spec.public
      ? 'URL of the Cloud Run service (public)'
      : 'URL of the Cloud Run service; callers need roles/run.invoker and an identity token',
  });
  new TerraformOutput(stack, 'image_repository', {
    value: imageRepository,
    description: 'Repository the image is pushed to',
  });
};
