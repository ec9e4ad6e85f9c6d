/**
 * The release journey end to end, as a user who copies the CI templates gets it: the packed
 * tarball installed globally (by the template's own install step, --omit=dev), a private
 * dockerd, a staging registry (open) and a production registry (basic auth), and the `run:`
 * steps of templates/ci/github/bentoctl-pull-request.yml and bentoctl-main.yml executed in job
 * and step order, read from the YAML (test/journey/workflow-runner.ts).
 *
 * The cloud boundary is terraform's providers: the `terraform` on PATH
 * (test/journey/cloud/terraform.mjs) lets bentoctl generate the real aws-ecs stack, keeps it, and
 * hands the real terraform a provider-free stand-in pinning the same image and environment, with
 * the state in a shared local backend (the "remote" state every fresh runner reads). The
 * stand-in platform runs what that state pins, in the private Docker engine, pulled from the
 * registry the stack names, so apply's wait, the smoke test and rollback talk to the real
 * runtime in the real image.
 *
 * Journey: PR plan → main (build once, staging, smoke test, promote, production plan, gated
 * production apply) → a changed bento through main again → `releases` → `rollback` to release
 * 1's exact digest. The log is printed at the end and written to <tmp>/journey.log.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { globSync } from 'tinyglobby';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useEngines } from '../helpers/engines.js';
import {
  NPM_INSTALL_ENV,
  installLayout,
  packTarball,
  type PackedInstall,
} from '../helpers/packed-install.js';
import { registrySkipReason, startRegistry, type Registry } from '../helpers/registry.js';
import { repoRoot } from '../helpers/run-cli.js';
import { findTerraformForTests } from '../terraform/helpers/terraform-available.js';
import { startStandInPlatform, type StandInPlatform } from './cloud/stand-in-platform.js';
import { JourneyLog } from './journey-log.js';
import {
  runWorkflow,
  stopRunningSteps,
  WorkflowStepError,
  type JobRun,
  type StepPlace,
  type WorkflowRunOptions,
} from './workflow-runner.js';

const terraform = await findTerraformForTests();
const PROD_AUTH = { username: 'deployer', password: `journey-${process.pid}` };
const PR_TEMPLATE = 'templates/ci/github/bentoctl-pull-request.yml';
const MAIN_TEMPLATE = 'templates/ci/github/bentoctl-main.yml';
const ROLES = {
  plan: 'arn:aws:iam::123456789012:role/bentoctl-plan',
  deploy: 'arn:aws:iam::123456789012:role/bentoctl-deploy',
  prodPlan: 'arn:aws:iam::123456789012:role/bentoctl-prod-plan',
  prod: 'arn:aws:iam::123456789012:role/bentoctl-prod',
};
const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** One line of the stand-in terraform's log (test/journey/cloud/terraform.mjs). */
interface StandInEntry {
  readonly deployment: string;
  readonly image: string;
  readonly resources: number;
  readonly kept: string;
  readonly args: readonly string[];
}

interface ListedRelease {
  readonly number: number;
  readonly image: string;
  readonly image_digest: string;
  readonly kind: string;
  readonly current: boolean;
}

describe.skipIf(terraform === undefined || registrySkipReason({ auth: PROD_AUTH }) !== undefined)(
  'the release journey through the CI templates',
  () => {
    const engines = useEngines();
    let dir: string;
    let log: JourneyLog;
    let production: Registry;
    let platform: StandInPlatform;
    let install: PackedInstall;
    let repository: string;
    let cloudDir: string;
    /** Where the first install step ran; later ones find bentoctl installed on this runner. */
    let installedBy: string | undefined;
    let runCount = 0;
    /** terraform.log entries already named in the journey log. */
    let boundaryEntries = 0;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'bentoctl-journey-'));
      log = new JourneyLog(join(dir, 'journey.log'));
      const [tarball, registry] = await Promise.all([
        packTarball(dir),
        startRegistry({ auth: PROD_AUTH }),
      ]);
      production = registry;
      install = installLayout(tarball, join(dir, 'prefix'));
      log.line(`packed ${tarball}`);
      log.line(
        `staging registry ${engines.registry.url} (open), production registry ${production.url} (basic auth)`,
      );
      cloudDir = join(dir, 'cloud');
      mkdirSync(join(cloudDir, 'bin'), { recursive: true });
      // The cloud boundary: `terraform` on PATH is the stand-in around the real binary.
      writeFileSync(
        join(cloudDir, 'bin', 'terraform'),
        `#!/bin/sh\nexec "${process.execPath}" "${join(repoRoot, 'test', 'journey', 'cloud', 'terraform.mjs')}" "$@"\n`,
        { mode: 0o755 },
      );
      platform = await startStandInPlatform({
        docker: engines.docker,
        cloudDir,
        registryAuth: { [production.host]: PROD_AUTH },
        log: (line) => log.line(line),
      });
      repository = writeRepository(join(dir, 'repository'));
    });

    afterAll(async () => {
      stopRunningSteps();
      // The log first: it is what a failed run leaves to read.
      const keep = process.env.BENTOCTL_TEST_KEEP_ENGINES !== undefined;
      if (log !== undefined) {
        const kept = keep ? log.file : join(tmpdir(), `bentoctl-journey-${process.pid}.log`);
        if (!keep) cpSync(log.file, kept);
        console.log(`\nRelease journey log (also in ${kept}):\n${log.text()}\n`);
      }
      await platform?.stop();
      await production?.stop();
      if (dir !== undefined && !keep) rmSync(dir, { recursive: true, force: true });
    }, 180_000);

    /** A repository as the templates expect: deploy/staging.yaml, deploy/prod.yaml, a bento. */
    function writeRepository(root: string): string {
      cpSync(join(repoRoot, 'examples', 'iris'), join(root, 'bento'), { recursive: true });
      mkdirSync(join(root, 'deploy'));
      const config = (name: string, registry: Registry) =>
        [
          'api_version: v1',
          `name: ${name}`,
          'bento: ../bento',
          'target: aws-ecs',
          'image:',
          `  repository: ${registry.host}/${name}`,
          `  base_image: ${engines.baseImage}`,
          'spec:',
          '  region: us-east-1',
          // ECS pulls from a registry outside ECR only with credentials (validate checks it).
          '  image_pull_secret: arn:aws:secretsmanager:us-east-1:123456789012:secret:registry-AbCdEf',
          // The remote state every fresh runner reads.
          'state:',
          '  backend: local',
          `  path: ${join(dir, 'state', `${name}.tfstate`)}`,
          '',
        ].join('\n');
      writeFileSync(join(root, 'deploy', 'staging.yaml'), config('iris-staging', engines.registry));
      writeFileSync(join(root, 'deploy', 'prod.yaml'), config('iris-prod', production));
      writeFileSync(join(root, 'deploy', 'smoke-request.json'), '[[5.1, 3.5, 1.4, 0.2]]\n');
      return root;
    }

    /** The environment of this machine's runner: installed bentoctl, the stand-in cloud. */
    function machineEnv(run: number): Record<string, string> {
      return {
        PATH: [
          install.binDir,
          join(cloudDir, 'bin'),
          dirname(process.execPath),
          '/usr/bin',
          '/bin',
        ].join(':'),
        HOME: join(dir, 'home'),
        NO_COLOR: '1',
        DOCKER_HOST: engines.dockerHost,
        TF_CLI_CONFIG_FILE: '/dev/null',
        JOURNEY_CLOUD_DIR: cloudDir,
        JOURNEY_REAL_TERRAFORM: terraform!.path,
        JOURNEY_PLATFORM_URL: platform.url,
        GITHUB_ACTOR: 'octocat',
        GITHUB_REPOSITORY: 'octo/iris',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_RUN_ID: String(1000 + run),
        // The global prefix of this runner's node (a fresh one), and npm kept offline-first.
        npm_config_prefix: install.prefix,
        npm_config_omit: 'dev',
        // This machine's npm cache and settings (HOME is the runner's own, empty).
        npm_config_cache: join(homedir(), '.npm'),
        npm_config_userconfig: join(homedir(), '.npmrc'),
        ...NPM_INSTALL_ENV,
      };
    }

    function workflowOptions(template: string, from: string): WorkflowRunOptions {
      runCount += 1;
      const runnerDir = join(dir, `run-${runCount}`);
      mkdirSync(runnerDir);
      const dockerConfig = join(dir, 'docker-prod');
      mkdirSync(dockerConfig, { recursive: true });
      writeFileSync(
        join(dockerConfig, 'config.json'),
        JSON.stringify({
          auths: {
            [production.host]: {
              auth: Buffer.from(`${PROD_AUTH.username}:${PROD_AUTH.password}`).toString('base64'),
            },
          },
        }),
      );
      const prodLogin = { DOCKER_CONFIG: dockerConfig };
      return {
        file: join(repoRoot, template),
        displayName: template,
        repository: from,
        runnerDir,
        env: machineEnv(runCount),
        vars: {
          BENTOCTL_PACKAGE: install.tarball,
          AWS_REGION: 'us-east-1',
          BENTOCTL_PLAN_ROLE_ARN: ROLES.plan,
          BENTOCTL_DEPLOY_ROLE_ARN: ROLES.deploy,
          BENTOCTL_PROD_PLAN_ROLE_ARN: ROLES.prodPlan,
          BENTOCTL_PROD_ROLE_ARN: ROLES.prod,
        },
        github: {
          event: { pull_request: { number: 7 } },
          repository: 'octo/iris',
          actor: 'octocat',
        },
        // Promotion writes to the production registry: its login gives the registry's password.
        logins: { [ROLES.prodPlan]: prodLogin, [ROLES.prod]: prodLogin },
        skipped: {
          'actions/setup-node': `this machine's node ${process.version} is on PATH`,
          'hashicorp/setup-terraform': `terraform ${terraform!.version} is on PATH (through the cloud-boundary stand-in)`,
          'actions/github-script':
            'the GitHub API (the pull-request comment) is out of reach; the comment body is plan.md, which the test checks',
        },
        afterStep: () => {
          // What the step handed the stand-in terraform: the cloud boundary, named in the log.
          const entries = terraformLog();
          const crossed = entries.slice(boundaryEntries);
          boundaryEntries = entries.length;
          if (crossed.length === 0) return undefined;
          return crossed
            .map(
              (entry) =>
                `cloud boundary: terraform ${entry.args[0]} got the provider-free stand-in for ${entry.deployment}'s generated stack (${entry.resources} resources, pins ${entry.image})`,
            )
            .join('; ');
        },
        decide: (place: StepPlace, script: string) => {
          if (!script.includes('npm install --global')) return { run: true };
          if (installedBy === undefined) {
            installedBy = `${place.file} › ${place.job}`;
            return {
              run: true,
              note: `installed ${install.tarball} into the fresh prefix ${install.prefix}`,
            };
          }
          return {
            run: false,
            reason: `BENTOCTL_PACKAGE is installed on this runner already (by ${installedBy}; about a minute each)`,
          };
        },
        // What promotion copied, what the smoke test's prediction answered, what was applied.
        stdoutLines: (place) => (/^(Promote|Smoke test|Apply)/.test(place.step) ? 3 : 0),
        log,
        stepTimeoutMs: 180_000,
      };
    }

    /** The installed bentoctl in a folder, as a user on a fresh machine would run it. */
    function bentoctl(
      args: readonly string[],
      cwd: string,
      env: Record<string, string>,
    ): Promise<{ code: number | null; stdout: string; stderr: string }> {
      return new Promise((resolve, reject) => {
        const child = spawn(install.bin, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.once('error', reject);
        child.once('close', (code) => resolve({ code, stdout, stderr }));
      });
    }

    /** The digest a registry serves for `name:reference`, asked with its credentials. */
    async function servedDigest(
      registry: Registry,
      name: string,
      reference: string,
    ): Promise<string | undefined> {
      const headers: Record<string, string> = { accept: MANIFEST_TYPES };
      if (registry.auth !== undefined)
        headers.authorization = `Basic ${Buffer.from(`${registry.auth.username}:${registry.auth.password}`).toString('base64')}`;
      const response = await fetch(`${registry.url}/v2/${name}/manifests/${reference}`, {
        method: 'HEAD',
        headers,
      });
      if (response.status === 404) return undefined;
      if (!response.ok)
        throw new Error(`HEAD ${name}:${reference} at ${registry.host}: HTTP ${response.status}`);
      return response.headers.get('docker-content-digest') ?? undefined;
    }

    /** The build record the build job uploaded (found in the job's workspace, wherever it is). */
    function buildRecord(run: JobRun): { repository: string; digest: string; tag: string } {
      const [file] = globSync(['**/build.json'], { cwd: run.workspace, dot: true, absolute: true });
      expect(file, `a build record in ${run.workspace}`).toBeDefined();
      return JSON.parse(readFileSync(file!, 'utf8')) as {
        repository: string;
        digest: string;
        tag: string;
      };
    }

    /** What the stand-in terraform swapped so far, oldest first. */
    function terraformLog(): StandInEntry[] {
      let text: string;
      try {
        text = readFileSync(join(cloudDir, 'terraform.log'), 'utf8');
      } catch {
        return [];
      }
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as StandInEntry);
    }

    /** The generated stacks the stand-in terraform kept for a deployment, oldest first. */
    function generatedStacks(deployment: string): string[] {
      return terraformLog()
        .filter((entry) => entry.deployment === deployment)
        .map((entry) => readFileSync(entry.kept, 'utf8'));
    }

    async function servingDigest(deployment: string): Promise<string | null> {
      const response = await fetch(`${platform.url}/${deployment}/readyz`);
      return response.headers.get('bentoctl-image-digest');
    }

    /** The main workflow for the repository as it is; checks promotion and the production pin. */
    async function releaseThroughMain(release: number): Promise<string> {
      log.line(`══ release ${release}: ${MAIN_TEMPLATE}`);
      const runs = await runWorkflow(workflowOptions(MAIN_TEMPLATE, repository));
      // One build in the whole run, and it pushes: production is never rebuilt.
      const builds = runs.flatMap((run) =>
        run.ran.filter((script) => /\bbentoctl build\b/.test(script)).map(() => run.job),
      );
      expect(builds).toEqual(['build']);
      const build = runs.find((run) => run.job === 'build')!;
      expect(build.ran.find((script) => script.includes('bentoctl build'))).toContain('--push');
      const record = buildRecord(build);
      const stagingName = record.repository.slice(engines.registry.host.length + 1);
      // Built and pushed once, to staging; production got the same digest by promotion.
      expect(await servedDigest(engines.registry, stagingName, record.tag)).toBe(record.digest);
      const promoted = await servedDigest(production, 'iris-prod', record.digest);
      expect(promoted, 'the production registry serves the staging digest').toBe(record.digest);
      expect(await servedDigest(production, 'iris-prod', record.tag)).toBe(record.digest);
      log.line(`check: staging ${record.repository}:${record.tag} = ${record.digest}`);
      log.line(
        `check: production ${production.host}/iris-prod serves ${promoted} (asked with basic auth)`,
      );
      // The stack production applied was generated pinned to exactly that digest.
      const stack = generatedStacks('iris-prod').at(-1)!;
      expect(stack).toContain(`${production.host}/iris-prod@${record.digest}`);
      expect(stack).toContain(`BENTOCTL_IMAGE_DIGEST\\",\\"value\\":\\"${record.digest}`);
      log.line(
        `check: the generated production stack pins ${production.host}/iris-prod@${record.digest}`,
      );
      expect(await servingDigest('iris-prod')).toBe(record.digest);
      // After each apply, the after-bake step ran: on aws-ecs (rolling here) it has nothing to
      // promote, and checks that the endpoint serves the release (it failed the job otherwise).
      for (const job of ['staging', 'production']) {
        const ran = runs.find((run) => run.job === job)!.ran;
        const applyAt = ran.findIndex((script) => /\bbentoctl apply\b/.test(script));
        const settleAt = ran.findIndex((script) =>
          /\bbentoctl release promote\b.*--after-bake/.test(script),
        );
        expect(settleAt, `${job}: release promote --after-bake after the apply`).toBeGreaterThan(
          applyAt,
        );
      }
      const gated = runs.find((run) => run.job === 'production-plan')!;
      expect(gated.summary).toContain('iris-prod');
      return record.digest;
    }

    it("GIVEN the templates WHEN a PR is planned, two releases go through main and production is rolled back THEN each step works and production runs release 1's digest again", async () => {
      log.line(`══ pull request: ${PR_TEMPLATE}`);
      const pr = await runWorkflow(workflowOptions(PR_TEMPLATE, repository));
      expect(pr.map((run) => run.matrix)).toEqual([
        'config=deploy/staging.yaml',
        'config=deploy/prod.yaml',
      ]);
      for (const run of pr) {
        expect(run.outputs.build?.image).toMatch(
          /^127\.0\.0\.1:\d+\/iris-(staging|prod):[0-9a-f]+$/,
        );
        expect(run.outputs.plan?.changes).toBe('true');
        // The body the comment step would post, and the job summary, are the plan's Markdown.
        const body = readFileSync(join(run.workspace, 'plan.md'), 'utf8');
        expect(body).toMatch(/^<!-- bentoctl-plan: iris-(staging|prod) -->/);
        expect(run.summary).toContain(body);
        const counts = body.split('\n').find((line) => /\d+ to /.test(line));
        log.line(`check: ${run.matrix}: plan.md ${counts?.trim() ?? '(no counts line)'}`);
      }

      const first = await releaseThroughMain(1);
      const bento = join(repository, 'bento', 'bento.yaml');
      writeFileSync(bento, readFileSync(bento, 'utf8').replace('(cm).', '(cm), release 2.'));
      log.line('change: bento/bento.yaml description (a new bento version)');
      const second = await releaseThroughMain(2);
      expect(second).not.toBe(first);

      // A fresh machine with only the repository: the history comes from the state.
      const fresh = mkdtempSync(join(dir, 'fresh-'));
      cpSync(repository, fresh, { recursive: true });
      const env = {
        ...machineEnv(runCount + 1),
        CI: 'true',
        GITHUB_ACTIONS: 'true',
      };
      const listed = await bentoctl(['releases', '-f', 'deploy/prod.yaml', '--json'], fresh, env);
      expect(listed.code, listed.stderr).toBe(0);
      const before = (JSON.parse(listed.stdout) as { releases: ListedRelease[] }).releases;
      expect(
        before.map((release) => [release.number, release.image_digest, release.current]),
      ).toEqual([
        [2, second, true],
        [1, first, false],
      ]);
      log.line(
        `bentoctl releases -f deploy/prod.yaml: ${before.map((r) => `${r.number} ${r.image_digest}${r.current ? ' (current)' : ''}`).join(', ')}`,
      );

      const rolled = await bentoctl(
        ['rollback', '-f', 'deploy/prod.yaml', '--auto-approve'],
        fresh,
        env,
      );
      expect(rolled.code, `${rolled.stdout}\n${rolled.stderr}`).toBe(0);
      log.line(
        `bentoctl rollback -f deploy/prod.yaml --auto-approve: ${rolled.stdout
          .trim()
          .split('\n')
          .filter((line) => /Rolled|ready/.test(line))
          .join(' / ')}`,
      );
      const after = JSON.parse(
        (await bentoctl(['releases', '-f', 'deploy/prod.yaml', '--json'], fresh, env)).stdout,
      ) as { releases: ListedRelease[] };
      expect(after.releases[0]).toMatchObject({
        number: 3,
        image_digest: first,
        current: true,
        kind: 'rollback',
      });
      expect(generatedStacks('iris-prod').at(-1)).toContain(
        `${production.host}/iris-prod@${first}`,
      );
      expect(await servingDigest('iris-prod')).toBe(first);
      // What the platform ran in production, in order: release 1, release 2, release 1.
      expect(
        platform.rollouts
          .filter((rollout) => rollout.deployment === 'iris-prod')
          .map((rollout) => rollout.image),
      ).toEqual([first, second, first].map((digest) => `${production.host}/iris-prod@${digest}`));
      log.line(`check: release 3 (rollback) is current and production serves ${first} again`);
    }, 600_000);

    it('GIVEN a config with an error WHEN the PR workflow runs THEN the failure names the template, job, step, command, exit code and stderr', async () => {
      const broken = join(dir, 'broken-repository');
      cpSync(repository, broken, { recursive: true });
      const staging = join(broken, 'deploy', 'staging.yaml');
      writeFileSync(
        staging,
        readFileSync(staging, 'utf8').replace('region: us-east-1', 'region: mars-north-1'),
      );
      log.line(`══ a broken config: ${PR_TEMPLATE}`);

      const failure = await runWorkflow(workflowOptions(PR_TEMPLATE, broken)).then(
        () => undefined,
        (error: unknown) => error,
      );

      expect(failure).toBeInstanceOf(WorkflowStepError);
      const message = (failure as Error).message;
      log.line(`the failure reads:\n${message}`);
      expect(message).toContain(
        `${PR_TEMPLATE} › job plan (config=deploy/staging.yaml) › step "Validate" failed: exit code 2`,
      );
      expect(message).toContain('bentoctl validate -f "deploy/staging.yaml"');
      expect(message).toMatch(/stderr \(last lines\):\n.*mars-north-1/s);
    });
  },
);
