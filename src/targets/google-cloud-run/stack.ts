/**
 * Terraform for the google-cloud-run target: the project APIs, the Artifact Registry
 * repository, the runtime service account with per-secret access, a reader grant for Cloud
 * Run's service agent on an image repository in another project, a pause for those grants to
 * take effect, the Cloud Run v2 service and its invokers.
 *
 * Private by default: with `public: false` only the members in `spec.invokers` may call the
 * service (grant `roles/run.invoker` to others yourself). `public: true` grants allUsers, or,
 * with `invoker_iam_disabled`, turns the invoker check off. Everything here is GA in the google
 * provider, so google-beta is not needed.
 */
import { Fn, TerraformIterator, TerraformOutput, TerraformVariable } from 'cdktf';
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member/index.js';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider/index.js';
import { errors } from '../../errors/index.js';
import { addPropagationWait } from '../common/propagation-wait.js';
import { secretEnvVars } from '../common/secret-env-vars.js';
import type { SynthInput } from '../synthesizer.js';
import {
  CANDIDATE_ENDPOINT_OUTPUT,
  CANDIDATE_TAG,
  runningRevision,
  settledSplit,
  TRAFFIC_VARIABLE,
  TRAFFIC_VARIABLE_TYPE,
} from '../traffic-split.js';
import { addArtifactRegistry } from './artifact-registry.js';
import { addCrossProjectImageAccess } from './image-pull-access.js';
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

/** How long the first revision waits after new grants or API enables. */
export const IAM_PROPAGATION_SECONDS = 120;

/** The google-cloud-run `Synthesizer` (its definition loads it): providers, resources and outputs. */
export function synthesizeGoogleCloudRun(input: SynthInput<CloudRunSpec>): void {
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
  // input.image is what runs (the build record or --image), wherever it was pushed.
  const imageAccess = addCrossProjectImageAccess(stack, {
    project: spec.project,
    imageRepository: input.image.repository,
    dependsOn: apis,
  });
  const grants = [...identity.grants, ...(imageAccess !== undefined ? [imageAccess] : [])];
  const propagated = addPropagationWait(stack, {
    id: 'iam_propagation',
    seconds: IAM_PROPAGATION_SECONDS,
    after: [...apis, ...grants],
  });
  const traffic = config.release.strategy === 'rolling' ? undefined : trafficSplit(input);
  const service = addCloudRunService(stack, {
    ...(traffic === undefined ? {} : { traffic }),
    spec,
    name: names.service,
    image: input.image.ref,
    port: config.runtime.port,
    serviceAccountEmail: identity.email,
    environment: input.environment,
    secrets: secretEnv,
    // The service and its revisions run the bento: only they carry its name and version.
    labels: { ...labels, ...input.bentoLabels },
    // Cloud Run checks secret and image access when it creates a revision, so the grants
    // come first, and have had time to take effect.
    dependsOn: [...apis, ...grants, ...(propagated !== undefined ? [propagated] : [])],
    lifecycle: input.lifecycle,
  });

  // A public service under invoker_iam_disabled needs no binding (and an org policy that
  // restricts domains would refuse allUsers).
  const invokers =
    spec.public && !spec.invoker_iam_disabled ? ['allUsers'] : spec.public ? [] : spec.invokers;
  // IDs from the member, not its position, so reordering the list replaces nothing.
  for (const member of [...new Set(invokers)].sort()) {
    const id =
      member === 'allUsers'
        ? 'public_invoker'
        : `invoker_${member.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
    new CloudRunV2ServiceIamMember(stack, id, {
      project: service.project,
      location: service.location,
      name: service.name,
      role: 'roles/run.invoker',
      member,
    });
  }

  new TerraformOutput(stack, 'endpoint', {
    value: service.uri,
    description: spec.public
      ? 'URL of the Cloud Run service (public)'
      : 'URL of the Cloud Run service; callers need roles/run.invoker and an identity token',
  });
  if (traffic !== undefined) {
    new TerraformOutput(stack, CANDIDATE_ENDPOINT_OUTPUT, {
      // Cloud Run gives a tagged revision the service's host with `<tag>---` in front.
      value: Fn.replace(service.uri, 'https://', `https://${CANDIDATE_TAG}---`),
      description: `URL of the newest revision alone (traffic tag ${CANDIDATE_TAG}), for a smoke test before it takes traffic`,
    });
  }
  new TerraformOutput(stack, 'image_repository', {
    value: imageRepository,
    description: 'Repository the image is pushed to',
  });
}

/**
 * Canary and blue-green: the revision is named after what it runs, and its traffic blocks come
 * from the `bentoctl_traffic` variable, one block per entry, which bentoctl sets at plan time
 * from the state (the previous revision keeps the rest during a canary).
 */
function trafficSplit(input: SynthInput<CloudRunSpec>) {
  const { stack, config } = input;
  const revision = runningRevision(cloudRunNames(config.name).service, input);
  const variable = new TerraformVariable(stack, TRAFFIC_VARIABLE, {
    type: TRAFFIC_VARIABLE_TYPE,
    default: settledSplit(revision),
    description:
      "Each revision's share of the requests; bentoctl sets it at plan time (bentoctl release status).",
  });
  const entries = TerraformIterator.fromList(variable.listValue);
  return {
    revision,
    split: entries.dynamic({
      type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
      revision: entries.getString('revision'),
      percent: entries.getNumber('percent'),
      tag: entries.getString('tag'),
    }),
  };
}
