import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  cloudRunNames,
  defaultCloudRunImageRepository,
} from '../../src/targets/google-cloud-run/names.js';
import { parseSecretManagerReference } from '../../src/targets/google-cloud-run/secret-reference.js';
import { synthesizeGoogleCloudRun } from '../../src/targets/google-cloud-run/stack.js';
import type { CloudRunSpec } from '../../src/targets/google-cloud-run/spec.js';
import {
  expectStackSnapshot,
  changedLeaves,
  loadError,
  loadTestConfig,
  onlyResource,
  resourcesOf,
  synthesizeTarget,
  TEST_IMAGE,
  type TerraformDocument,
} from './target-synth-harness.js';

interface ConfigParts {
  spec?: Record<string, unknown>;
  runtime?: Record<string, unknown>;
  secrets?: Record<string, string>;
  env?: Record<string, string>;
  image?: Record<string, unknown>;
  release?: Record<string, unknown>;
  name?: string;
}

function configText(parts: ConfigParts = {}): string {
  return stringify({
    api_version: 'v1',
    name: parts.name ?? 'iris-prod',
    bento: './iris',
    target: 'google-cloud-run',
    spec: { project: 'ml-project-123', region: 'us-central1', ...parts.spec },
    ...(parts.runtime ? { runtime: parts.runtime } : {}),
    ...(parts.secrets ? { secrets: parts.secrets } : {}),
    ...(parts.env ? { env: parts.env } : {}),
    ...(parts.image ? { image: parts.image } : {}),
    ...(parts.release ? { release: parts.release } : {}),
  });
}

function synth(parts: ConfigParts = {}): TerraformDocument {
  return synthesizeTarget<CloudRunSpec>(
    synthesizeGoogleCloudRun,
    loadTestConfig(configText(parts)),
  );
}

interface Container {
  image: string;
  env: {
    name: string;
    value?: string;
    value_source?: { secret_key_ref: { secret: string; version: string } };
  }[];
  ports: { container_port: number };
  resources: { limits: Record<string, string>; cpu_idle: boolean; startup_cpu_boost: boolean };
  startup_probe: {
    http_get: { path: string; port: number };
    initial_delay_seconds: number;
    period_seconds: number;
    failure_threshold: number;
  };
  liveness_probe: { http_get: { path: string; port: number } };
}

interface ServiceBlock {
  name: string;
  ingress: string;
  labels: Record<string, string>;
  deletion_protection: boolean;
  template: {
    service_account: string;
    scaling: { min_instance_count: number; max_instance_count: number };
    max_instance_request_concurrency: number;
    timeout: string;
    execution_environment: string;
    node_selector?: { accelerator: string };
    gpu_zonal_redundancy_disabled?: boolean;
    containers: Container[];
  };
}

function service(json: TerraformDocument): ServiceBlock {
  return onlyResource(json, 'google_cloud_run_v2_service') as unknown as ServiceBlock;
}

function container(json: TerraformDocument): Container {
  const first = service(json).template.containers[0];
  if (first === undefined) throw new Error('the service has no container');
  return first;
}

describe('google-cloud-run synthesis', () => {
  describe('GIVEN the defaults', () => {
    const json = synth();

    it('THEN enables the four APIs and never disables them on destroy', () => {
      const services = Object.values(resourcesOf(json, 'google_project_service'));
      expect(services.map((api) => api.service).sort()).toEqual([
        'artifactregistry.googleapis.com',
        'iam.googleapis.com',
        'run.googleapis.com',
        'secretmanager.googleapis.com',
      ]);
      for (const api of services) expect(api.disable_on_destroy).toBe(false);
    });

    it('THEN creates a Docker repository in the region with a keep-recent cleanup policy', () => {
      const repository = onlyResource(json, 'google_artifact_registry_repository');
      expect(repository).toMatchObject({
        format: 'DOCKER',
        location: 'us-central1',
        repository_id: 'iris-prod',
        cleanup_policy_dry_run: false,
      });
      expect(repository.cleanup_policies).toContainEqual({
        id: 'keep-recent',
        action: 'KEEP',
        most_recent_versions: { keep_count: 10 },
      });
    });

    it('THEN runs the service as a dedicated service account', () => {
      const account = onlyResource(json, 'google_service_account');
      expect(account.account_id).toBe('iris-prod-runtime');
      expect(service(json).template.service_account).toBe(
        '${google_service_account.runtime_service_account.email}',
      );
    });

    it('THEN grants the account nothing project-wide and nobody the invoker role (private)', () => {
      const types = Object.keys(json.resource ?? {});
      expect(types.filter((type) => type.startsWith('google_project_iam'))).toEqual([]);
      expect(types).not.toContain('google_cloud_run_v2_service_iam_member');
      expect(types).not.toContain('google_cloud_run_v2_service_iam_binding');
      expect(types).not.toContain('google_secret_manager_secret_iam_member');
    });

    it('THEN sizes, scales and times out the service as the spec says', () => {
      const block = service(json);
      expect(block.name).toBe('iris-prod');
      expect(block.ingress).toBe('INGRESS_TRAFFIC_ALL');
      expect(block.deletion_protection).toBe(false);
      expect(block.template.scaling).toEqual({ min_instance_count: 0, max_instance_count: 4 });
      expect(block.template.max_instance_request_concurrency).toBe(80);
      expect(block.template.timeout).toBe('300s');
      expect(block.template.execution_environment).toBe('EXECUTION_ENVIRONMENT_GEN2');
      expect(container(json).resources).toEqual({
        limits: { cpu: '1', memory: '2048Mi' },
        cpu_idle: true,
        startup_cpu_boost: true,
      });
    });

    it('THEN runs the image by digest on the runtime port, probed on /readyz and /livez', () => {
      const main = container(json);
      expect(main.image).toBe(TEST_IMAGE.ref);
      expect(main.ports.container_port).toBe(3000);
      expect(main.startup_probe.http_get).toEqual({ path: '/readyz', port: 3000 });
      // Cloud Run caps a startup probe at 240 s.
      expect(
        main.startup_probe.period_seconds * main.startup_probe.failure_threshold,
      ).toBeLessThanOrEqual(240);
      expect(main.liveness_probe.http_get).toEqual({ path: '/livez', port: 3000 });
    });

    it('THEN passes the runtime env sorted, without the PORT Cloud Run sets itself', () => {
      const names = container(json).env.map((entry) => entry.name);
      expect(names).toEqual([...names].sort());
      expect(names).toContain('BENTOCTL_MAX_BATCH_SIZE');
      expect(names).toContain('ORT_DISABLE_TELEMETRY');
      expect(names).not.toContain('PORT');
    });

    it('THEN labels every labelable resource with the deployment, and only the service and its revisions with the bento version', () => {
      const runsTheBento = [
        service(json).labels,
        (service(json).template as unknown as { labels: unknown }).labels,
      ];
      for (const labels of runsTheBento) {
        expect(labels).toMatchObject({
          deployment: 'iris-prod',
          'bento-version': expect.any(String),
        });
      }
      // A release must not relabel the repository (or anything else that does not run it).
      const repository = onlyResource(json, 'google_artifact_registry_repository').labels;
      expect(repository).toMatchObject({ deployment: 'iris-prod' });
      expect(repository).not.toHaveProperty('bento-version');
    });

    it('THEN outputs the service URL and the image repository', () => {
      expect(json.output?.endpoint?.value).toBe('${google_cloud_run_v2_service.service.uri}');
      expect(json.output?.image_repository?.value).toBe(
        'us-central1-docker.pkg.dev/ml-project-123/iris-prod/iris-prod',
      );
    });

    it('THEN matches the reviewed snapshot', async () => {
      await expectStackSnapshot('google-cloud-run', json);
    });
  });

  it('GIVEN public: true THEN only allUsers gets roles/run.invoker on this service', () => {
    const json = synth({ spec: { public: true } });
    const members = Object.values(resourcesOf(json, 'google_cloud_run_v2_service_iam_member'));
    expect(members).toEqual([
      {
        project: '${google_cloud_run_v2_service.service.project}',
        location: '${google_cloud_run_v2_service.service.location}',
        name: '${google_cloud_run_v2_service.service.name}',
        role: 'roles/run.invoker',
        member: 'allUsers',
      },
    ]);
  });

  it.each([
    ['all', 'INGRESS_TRAFFIC_ALL'],
    ['internal', 'INGRESS_TRAFFIC_INTERNAL_ONLY'],
    ['internal-and-cloud-load-balancing', 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER'],
  ])('GIVEN ingress %s THEN the service ingress is %s', (ingress, expected) => {
    expect(service(synth({ spec: { ingress } })).ingress).toBe(expected);
  });

  describe('GIVEN secrets and a bearer token secret', () => {
    const json = synth({
      secrets: {
        DB_PASSWORD: 'db-password/versions/3',
        DB_PASSWORD_COPY: 'db-password',
        PARTNER_KEY: 'projects/partner-project/secrets/partner-key',
      },
      runtime: { auth: { mode: 'bearer', secret: 'api-token' } },
    });

    it('THEN each secret is readable by the runtime account, granted on that secret only', () => {
      const grants = Object.values(resourcesOf(json, 'google_secret_manager_secret_iam_member'));
      expect(
        grants.map((grant) => [grant.project, grant.secret_id, grant.role, grant.member]).sort(),
      ).toEqual([
        [
          'ml-project-123',
          'projects/ml-project-123/secrets/api-token',
          'roles/secretmanager.secretAccessor',
          'serviceAccount:${google_service_account.runtime_service_account.email}',
        ],
        [
          'ml-project-123',
          'projects/ml-project-123/secrets/db-password',
          'roles/secretmanager.secretAccessor',
          'serviceAccount:${google_service_account.runtime_service_account.email}',
        ],
        [
          'partner-project',
          'projects/partner-project/secrets/partner-key',
          'roles/secretmanager.secretAccessor',
          'serviceAccount:${google_service_account.runtime_service_account.email}',
        ],
      ]);
    });

    it('THEN the container reads them from Secret Manager, never as plain values', () => {
      const bySecret = Object.fromEntries(
        container(json)
          .env.filter((entry) => entry.value_source !== undefined)
          .map((entry) => [entry.name, entry.value_source?.secret_key_ref]),
      );
      expect(bySecret).toEqual({
        BENTOCTL_AUTH_TOKEN: { secret: 'api-token', version: 'latest' },
        DB_PASSWORD: { secret: 'db-password', version: '3' },
        DB_PASSWORD_COPY: { secret: 'db-password', version: 'latest' },
        PARTNER_KEY: { secret: 'projects/partner-project/secrets/partner-key', version: 'latest' },
      });
    });

    it('THEN the service waits for the grants (Cloud Run checks access on deploy)', () => {
      const dependsOn = (onlyResource(json, 'google_cloud_run_v2_service').depends_on ??
        []) as string[];
      for (const id of Object.keys(resourcesOf(json, 'google_secret_manager_secret_iam_member'))) {
        expect(dependsOn).toContain(`google_secret_manager_secret_iam_member.${id}`);
      }
    });
  });

  it('GIVEN a secret in another form (an AWS ARN) THEN validate names it and the form, before synthesis', () => {
    const failure = loadError(() =>
      loadTestConfig(
        configText({
          secrets: { DB_PASSWORD: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db' },
        }),
      ),
    );
    expect(failure.code).toBe('CONFIG_INVALID');
    expect(failure.fields).toEqual(['secrets.DB_PASSWORD']);
    expect(failure.text).toMatch(/Secret Manager/);
  });

  it('GIVEN service_account_email THEN no account is created and the given one gets the grants', () => {
    const email = 'inference@ml-project-123.iam.gserviceaccount.com';
    const json = synth({ spec: { service_account_email: email }, secrets: { KEY: 'key' } });
    expect(resourcesOf(json, 'google_service_account')).toEqual({});
    expect(service(json).template.service_account).toBe(email);
    expect(onlyResource(json, 'google_secret_manager_secret_iam_member').member).toBe(
      `serviceAccount:${email}`,
    );
  });

  describe('GPU', () => {
    it('GIVEN spec.gpu and a GPU runtime THEN one nvidia-l4 per instance with CPU always allocated', () => {
      const json = synth({
        spec: { gpu: {}, cpu: 4, memory: 16384 },
        runtime: { device: 'gpu' },
      });
      const block = service(json);
      expect(block.template.node_selector).toEqual({ accelerator: 'nvidia-l4' });
      expect(block.template.gpu_zonal_redundancy_disabled).toBe(true);
      expect(container(json).resources.limits).toEqual({
        cpu: '4',
        memory: '16384Mi',
        'nvidia.com/gpu': '1',
      });
      expect(container(json).resources.cpu_idle).toBe(false);
    });

    it('GIVEN no spec.gpu THEN nothing GPU-related is synthesized', () => {
      const block = service(synth());
      expect(block.template.node_selector).toBeUndefined();
      expect(block.template.gpu_zonal_redundancy_disabled).toBeUndefined();
      expect(Object.keys(container(synth()).resources.limits)).toEqual(['cpu', 'memory']);
    });
  });

  it('GIVEN a fractional cpu THEN the limit is in millicores, in the first generation environment', () => {
    const json = synth({ spec: { cpu: 0.5, memory: 1024, concurrency: 1 } });
    expect(container(json).resources.limits.cpu).toBe('500m');
    // The second generation takes whole CPUs only: GEN2 here could never deploy.
    expect(service(json).template.execution_environment).toBe('EXECUTION_ENVIRONMENT_GEN1');
  });

  it('GIVEN cpu 0.25 with 256 MiB THEN it validates (gen1 takes less than 512 MiB)', () => {
    const json = synth({ spec: { cpu: 0.25, memory: 256, concurrency: 1 } });
    expect(service(json).template.execution_environment).toBe('EXECUTION_ENVIRONMENT_GEN1');
    expect(container(json).resources.limits.memory).toBe('256Mi');
  });

  describe('invokers', () => {
    it('GIVEN public and invoker_iam_disabled THEN the invoker check is off and allUsers is not granted', () => {
      const json = synth({ spec: { public: true, invoker_iam_disabled: true } });
      expect(
        (service(json) as unknown as { invoker_iam_disabled?: boolean }).invoker_iam_disabled,
      ).toBe(true);
      expect(resourcesOf(json, 'google_cloud_run_v2_service_iam_member')).toEqual({});
    });

    it('GIVEN no invoker_iam_disabled THEN the service keeps the invoker check', () => {
      expect(service(synth({ spec: { public: true } }))).not.toHaveProperty('invoker_iam_disabled');
    });

    it('GIVEN invokers on a private service THEN each member gets roles/run.invoker, keyed by member', () => {
      const json = synth({
        spec: {
          invokers: ['serviceAccount:caller@p.iam.gserviceaccount.com', 'group:ml@example.com'],
        },
      });
      const members = resourcesOf(json, 'google_cloud_run_v2_service_iam_member');
      expect(Object.keys(members).sort()).toEqual([
        'invoker_group_ml_example_com',
        'invoker_serviceaccount_caller_p_iam_gserviceaccount_com',
      ]);
      expect(
        Object.values(members)
          .map((member) => [member.role, member.member])
          .sort(),
      ).toEqual([
        ['roles/run.invoker', 'group:ml@example.com'],
        ['roles/run.invoker', 'serviceAccount:caller@p.iam.gserviceaccount.com'],
      ]);
    });

    it('GIVEN public with invokers THEN the config is rejected (they would grant nothing)', () => {
      const failure = loadError(() =>
        loadTestConfig(configText({ spec: { public: true, invokers: ['user:a@example.com'] } })),
      );
      expect(failure.fields).toEqual(['spec.invokers']);
    });
  });

  describe('image pull access', () => {
    const otherProject = 'us-docker.pkg.dev/shared-images/models/iris';
    const imageIn = (repository: string) => ({
      repository,
      digest: TEST_IMAGE.digest,
      ref: `${repository}@${TEST_IMAGE.digest}`,
    });

    it("GIVEN an image in another project's repository THEN Cloud Run's service agent may read that repository", () => {
      const config = loadTestConfig(configText({ image: { repository: otherProject } }));
      const json = synthesizeTarget<CloudRunSpec>(
        synthesizeGoogleCloudRun,
        config,
        imageIn(otherProject),
      );
      expect(onlyResource(json, 'google_artifact_registry_repository_iam_member')).toMatchObject({
        project: 'shared-images',
        location: 'us',
        repository: 'models',
        role: 'roles/artifactregistry.reader',
        member:
          'serviceAccount:service-${data.google_project.deployment_project.number}@serverless-robot-prod.iam.gserviceaccount.com',
      });
      expect(json.data?.google_project?.deployment_project).toEqual({
        project_id: 'ml-project-123',
      });
      const dependsOn = service(json) as unknown as { depends_on: string[] };
      expect(dependsOn.depends_on).toContain(
        'google_artifact_registry_repository_iam_member.image_reader_for_cloud_run',
      );
    });

    it('GIVEN an image in the deployment project THEN no grant is added (the agent reads it already)', () => {
      const own = 'us-central1-docker.pkg.dev/ml-project-123/iris-prod/iris-prod';
      const json = synthesizeTarget<CloudRunSpec>(
        synthesizeGoogleCloudRun,
        loadTestConfig(configText()),
        imageIn(own),
      );
      expect(resourcesOf(json, 'google_artifact_registry_repository_iam_member')).toEqual({});
    });

    it('GIVEN a gcr.io image of another project THEN the grant is on its gcr.io repository', () => {
      const json = synthesizeTarget<CloudRunSpec>(
        synthesizeGoogleCloudRun,
        loadTestConfig(configText()),
        imageIn('eu.gcr.io/shared-images/iris'),
      );
      expect(onlyResource(json, 'google_artifact_registry_repository_iam_member')).toMatchObject({
        project: 'shared-images',
        location: 'europe',
        repository: 'eu.gcr.io',
      });
    });

    it.each([
      'europe-west4-docker.pkg.dev/p-123456/repo/iris',
      'gcr.io/p-123456/iris',
      'docker.io/library/iris',
      'ghcr.io/team/iris',
      'team/iris',
    ])('GIVEN image.repository %s THEN it validates (Cloud Run can pull it)', (repository) => {
      expect(() => loadTestConfig(configText({ image: { repository } }))).not.toThrow();
    });

    it.each([
      'quay.io/team/iris',
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/iris',
      'localhost:5000/iris',
    ])('GIVEN image.repository %s THEN validate says to use Artifact Registry', (repository) => {
      const failure = loadError(() => loadTestConfig(configText({ image: { repository } })));
      expect(failure.fields).toEqual(['image.repository']);
      expect(failure.text).toMatch(/Artifact Registry remote repository/);
    });
  });

  describe('IAM propagation', () => {
    const json = synth({ secrets: { DB_PASSWORD: 'db-password' } });
    const wait = resourcesOf(json, 'terraform_data').iam_propagation as {
      triggers_replace: Record<string, string>;
      provisioner: { 'local-exec': { command: string } }[];
      depends_on: string[];
    };

    it('GIVEN secrets THEN a wait runs after the grants and API enables, before the service', () => {
      expect(wait.provisioner).toEqual([{ 'local-exec': { command: 'sleep 120' } }]);
      expect(wait.depends_on).toContain(
        'google_secret_manager_secret_iam_member.secret_accessor_db_password',
      );
      expect(wait.depends_on).toContain('google_project_service.service_run');
      expect((service(json) as unknown as { depends_on: string[] }).depends_on).toContain(
        'terraform_data.iam_propagation',
      );
    });

    it('GIVEN a new grant THEN the wait is replaced (runs again), and only then', () => {
      expect(wait.triggers_replace.secret_accessor_db_password).toBe(
        '${google_secret_manager_secret_iam_member.secret_accessor_db_password.id}',
      );
      // A release changes only the image: the wait's triggers stay as they are.
      const other = synthesizeTarget<CloudRunSpec>(
        synthesizeGoogleCloudRun,
        loadTestConfig(configText({ secrets: { DB_PASSWORD: 'db-password' } })),
        { ...TEST_IMAGE, ref: `${TEST_IMAGE.repository}@sha256:${'cd'.repeat(32)}` },
      );
      expect(resourcesOf(other, 'terraform_data')).toEqual(resourcesOf(json, 'terraform_data'));
    });
  });

  it('GIVEN startup_delay_seconds THEN the startup probe waits that long before its 240 s', () => {
    const probe = container(synth({ spec: { startup_delay_seconds: 180 } })).startup_probe;
    expect(probe.initial_delay_seconds).toBe(180);
    expect(probe.period_seconds * probe.failure_threshold).toBe(240);
  });

  it('GIVEN image.repository THEN bentoctl creates no repository and outputs the given one', () => {
    const repository = 'europe-docker.pkg.dev/shared-images/models/iris';
    const json = synth({ image: { repository } });
    expect(resourcesOf(json, 'google_artifact_registry_repository')).toEqual({});
    expect(json.output?.image_repository?.value).toBe(repository);
  });

  it('GIVEN the image was pushed to the default repository THEN the stack adopts that repository', () => {
    // `bentoctl build --push` creates the repository first (a push needs it).
    const config = loadTestConfig(configText({}));
    const spec = config.spec as CloudRunSpec;
    const repository = defaultCloudRunImageRepository(spec, config.name);
    const image = {
      repository,
      digest: TEST_IMAGE.digest,
      ref: `${repository}@${TEST_IMAGE.digest}`,
    };
    const json = synthesizeTarget<CloudRunSpec>(synthesizeGoogleCloudRun, config, image) as {
      import?: unknown;
    };
    expect(json.import).toEqual([
      {
        id: `projects/${spec.project}/locations/${spec.region}/repositories/${cloudRunNames(config.name).repositoryId}`,
        to: 'google_artifact_registry_repository.artifact_registry',
      },
    ]);
    // An image elsewhere leaves nothing to adopt.
    expect((synth() as { import?: unknown }).import).toBeUndefined();
  });

  it("GIVEN the image is in another deployment's repository THEN the stack never adopts that repository", () => {
    // promote into a shared image.repository, or --image from staging: staging's stack owns it.
    const config = loadTestConfig(configText({}));
    const spec = config.spec as CloudRunSpec;
    const staging = defaultCloudRunImageRepository(spec, 'iris-staging');
    const image = {
      repository: staging,
      digest: TEST_IMAGE.digest,
      ref: `${staging}@${TEST_IMAGE.digest}`,
    };
    const own = synthesizeTarget<CloudRunSpec>(
      synthesizeGoogleCloudRun,
      config,
      image,
    ) as TerraformDocument & {
      import?: unknown;
    };
    expect(own.import).toBeUndefined();
    expect(onlyResource(own, 'google_artifact_registry_repository')).toMatchObject({
      repository_id: cloudRunNames(config.name).repositoryId,
    });
    const shared = synthesizeTarget<CloudRunSpec>(
      synthesizeGoogleCloudRun,
      loadTestConfig(configText({ image: { repository: staging } })),
      image,
    ) as TerraformDocument & { import?: unknown };
    expect(shared.import).toBeUndefined();
    expect(resourcesOf(shared, 'google_artifact_registry_repository')).toEqual({});
  });

  describe('release strategies', () => {
    const service = (json: TerraformDocument) =>
      onlyResource(json, 'google_cloud_run_v2_service') as {
        traffic?: unknown;
        dynamic?: { traffic: { for_each: string; content: Record<string, unknown> } };
        template: { revision?: string };
      };
    const traffic = (json: TerraformDocument) =>
      (json as { variable?: Record<string, { default: unknown; type: string }> }).variable
        ?.bentoctl_traffic;

    it('GIVEN rolling (the default) THEN all traffic goes to LATEST, no revision name, no variable', () => {
      const json = synth({ release: { strategy: 'rolling' } });

      expect(service(json).traffic).toEqual([
        { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 },
      ]);
      expect(service(json).template.revision).toBeUndefined();
      expect(traffic(json)).toBeUndefined();
      expect(json.output?.candidate_endpoint).toBeUndefined();
      expect(json).toEqual(synth());
    });

    it.each(['canary', 'blue-green'])(
      'GIVEN %s THEN the revision is named, its traffic blocks come from bentoctl_traffic and it has a tagged URL',
      (strategy) => {
        const json = synth({ release: { strategy } });
        const { template, dynamic } = service(json);

        expect(template.revision).toMatch(/^iris-prod-[0-9a-f]{12}$/);
        expect(service(json).traffic).toBeUndefined();
        expect(dynamic?.traffic.for_each).toBe('${toset(var.bentoctl_traffic)}');
        expect(dynamic?.traffic.content).toEqual({
          type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
          revision: '${each.value.revision}',
          percent: '${each.value.percent}',
          tag: '${each.value.tag}',
        });
        // Planned by hand (no bentoctl), everything goes to this revision.
        expect(traffic(json)?.default).toEqual([
          { revision: template.revision, percent: 100, tag: 'candidate' },
        ]);
        expect(json.output?.candidate_endpoint?.value).toBe(
          '${replace(google_cloud_run_v2_service.service.uri, "https://", "https://candidate---")}',
        );
      },
    );

    it('GIVEN a canary THEN the revision name changes with the image and the env, not with the release section', () => {
      const name = (json: TerraformDocument) => service(json).template.revision;
      const base = synth({ release: { strategy: 'canary' } });
      const otherPercent = synth({ release: { strategy: 'canary', percent: 50 } });
      const otherEnv = synth({ release: { strategy: 'canary' }, env: { LOG_FORMAT: 'json' } });
      const otherImage = synthesizeTarget<CloudRunSpec>(
        synthesizeGoogleCloudRun,
        loadTestConfig(configText({ release: { strategy: 'canary' } })),
        {
          ...TEST_IMAGE,
          digest: `sha256:${'cd'.repeat(32)}`,
          ref: `${TEST_IMAGE.repository}@sha256:${'cd'.repeat(32)}`,
        },
      );

      expect(name(otherPercent)).toBe(name(base));
      expect(name(otherEnv)).not.toBe(name(base));
      expect(name(otherImage)).not.toBe(name(base));
    });
  });

  describe('determinism', () => {
    it('GIVEN the same config twice THEN the JSON is identical', () => {
      const parts: ConfigParts = { secrets: { A: 'a', B: 'b' }, env: { Z: '1', M: '2' } };
      expect(JSON.stringify(synth(parts))).toBe(JSON.stringify(synth(parts)));
    });

    it('GIVEN one field changed THEN only that value changes in the stack', () => {
      expect(changedLeaves(synth(), synth({ spec: { max_instances: 5 } }))).toEqual([
        '/resource/google_cloud_run_v2_service/service/template/scaling/max_instance_count',
      ]);
    });
  });
});

describe('google-cloud-run names and references', () => {
  it('GIVEN the longest deployment name THEN every derived name fits its limit', () => {
    const names = cloudRunNames(`a${'b'.repeat(38)}c`);
    expect(names.service.length).toBeLessThanOrEqual(49);
    expect(names.serviceAccountId).toMatch(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/);
    expect(names.repositoryId.length).toBeLessThanOrEqual(63);
  });

  it('GIVEN a one-letter deployment name THEN the service account id is still 6+ characters', () => {
    expect(cloudRunNames('a').serviceAccountId).toMatch(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/);
  });

  it.each([
    ['token', { secret: 'token', version: 'latest' }],
    ['token/versions/7', { secret: 'token', version: '7' }],
    [
      'projects/other-project/secrets/token',
      { project: 'other-project', secret: 'token', version: 'latest' },
    ],
    [
      'projects/123456789/secrets/token/versions/latest',
      { project: '123456789', secret: 'token', version: 'latest' },
    ],
  ])('GIVEN %s THEN it parses', (text, expected) => {
    expect(parseSecretManagerReference(text)).toEqual(expected);
  });

  it.each([
    'arn:aws:secretsmanager:us-east-1:1:secret:x',
    'token/versions/0',
    'projects/p/secrets/x',
    'a/b',
  ])('GIVEN %s THEN it is not a Secret Manager reference', (text) => {
    expect(parseSecretManagerReference(text)).toBeUndefined();
  });
});

describe('google-cloud-run preflight', () => {
  it.each<[string, ConfigParts, string, RegExp]>([
    [
      'min above max',
      { spec: { min_instances: 5, max_instances: 2 } },
      'spec.min_instances',
      /larger than max_instances/,
    ],
    ['fractional cpu above 1', { spec: { cpu: 1.5 } }, 'spec.cpu', /fractional cpu only up to 1/],
    [
      'cpu below 1 with concurrency',
      { spec: { cpu: 0.5, memory: 512 } },
      'spec.concurrency',
      /only concurrency 1/,
    ],
    [
      'cpu below 0.5 with 1 GiB',
      { spec: { cpu: 0.25, memory: 1024, concurrency: 1 } },
      'spec.cpu',
      /needs at least 0.5 vCPU/,
    ],
    [
      'cpu below 1 with 2 GiB',
      { spec: { cpu: 0.5, memory: 2048, concurrency: 1 } },
      'spec.cpu',
      /needs at least 1 vCPU/,
    ],
    ['memory for 2 CPUs', { spec: { cpu: 1, memory: 8192 } }, 'spec.cpu', /needs at least 2 CPUs/],
    ['memory below gen2 minimum', { spec: { memory: 256 } }, 'spec.memory', /second generation/],
    [
      'GPU outside GPU regions',
      { spec: { gpu: {}, cpu: 4, memory: 16384, region: 'us-west1' }, runtime: { device: 'gpu' } },
      'spec.region',
      /offers GPUs only in/,
    ],
    [
      'GPU with too few CPUs',
      { spec: { gpu: {}, cpu: 2, memory: 16384 }, runtime: { device: 'gpu' } },
      'spec.cpu',
      /at least 4 CPUs/,
    ],
    [
      'GPU runtime without spec.gpu',
      { runtime: { device: 'gpu' } },
      'spec.gpu',
      /instances would have no GPU/,
    ],
    [
      'spec.gpu with a CPU runtime',
      { spec: { gpu: {}, cpu: 4, memory: 16384 } },
      'spec.gpu',
      /GPU would sit idle/,
    ],
    [
      'uppercase label key',
      { spec: { labels: { Team: 'ml' } } },
      'spec.labels.Team',
      /must start with a lowercase letter/,
    ],
    [
      'label value with a dot',
      { spec: { labels: { team: 'ml.core' } } },
      'spec.labels.team',
      /label value "ml.core"/,
    ],
    [
      'label bentoctl sets',
      { spec: { labels: { deployment: 'x' } } },
      'spec.labels.deployment',
      /set by bentoctl/,
    ],
    ['unknown region', { spec: { region: 'mars-north1' } }, 'spec.region', /./],
    [
      'bad project id',
      { spec: { project: 'My_Project' } },
      'spec.project',
      /Google Cloud project id/,
    ],
    ['runtime port below 1024', { runtime: { port: 80 } }, 'runtime.port', /./],
  ])('GIVEN %s THEN the config is rejected at %s', (_case, parts, field, message) => {
    const failure = loadError(() => loadTestConfig(configText(parts)));
    expect(failure.code).toBe('CONFIG_INVALID');
    expect(failure.fields).toContain(field);
    expect(failure.text).toMatch(message);
  });
});
