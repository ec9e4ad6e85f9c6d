/**
 * Canary releases as CI runs them: the built CLI in a child process, real terraform on a stand-in
 * stack of built-in resources that takes its traffic split as the `bentoctl_traffic` variable
 * (as the google-cloud-run stack does), a local-path state shared with a fresh folder, and two
 * local HTTP servers standing in for the endpoint and the candidate's tagged URL.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { ResolvedConfig } from '../../src/config/resolved-config.js';
import { deploymentStacks } from '../../src/deploy/deployment-stacks.js';
import type { AzureAksSpec } from '../../src/targets/azure-aks/spec.js';
import { synthesizeAzureAks } from '../../src/targets/azure-aks/stack.js';
import { imageReference } from '../../src/targets/image-reference.js';
import { synthesizeTargetStacks } from '../targets/target-synth-harness.js';
import { findTerraformForTests } from './helpers/terraform-available.js';
import { assertCliBuilt } from '../helpers/run-cli.js';
import { releaseCli } from './helpers/release-cli.js';
import { startStandIn, type StandInService } from './helpers/stand-in-service.js';
import { trafficStandInStack } from './helpers/traffic-stand-in-stack.js';
import {
  createSharedStateWorkspaces,
  createWorkspace,
  type SharedStateWorkspaces,
  writeStackJson,
  type Workspace,
} from './helpers/workspace.js';

const binary = await findTerraformForTests();

const digest = (hex: string) => `sha256:${hex.repeat(64)}`;
const image = (hex: string) => `us-central1-docker.pkg.dev/ml-project-123/demo/demo@${digest(hex)}`;
const revision = (hex: string) => `traffic-cli-${hex.repeat(12)}`;

interface Share {
  revision: string;
  percent: number;
  role: string;
  url: string | null;
  ownUrl: string | null;
  tag: string | null;
  release: { number: number } | null;
  health: { up: boolean; revision?: { imageDigest?: string } } | null;
}
interface Status {
  movedBy: string;
  phase: string | null;
  shares: Share[];
  bakeMinutesLeft: number | null;
}

/** The stand-in revision of image `hex`, as its runtime reports itself. */
const served = (hex: string) => ({ bentoVersion: `bento-${hex}`, digest: digest(hex) });

function configText(name: string, target: string, statePath: string, release: string): string {
  const spec = target === 'aws-ecs' ? '  region: us-east-1' : '  project: ml-project-123';
  return [
    'api_version: v1',
    `name: ${name}`,
    'bento: ./bento',
    `target: ${target}`,
    'spec:',
    spec,
    'release:',
    release,
    'state:',
    '  backend: local',
    `  path: ${statePath}`,
    '',
  ].join('\n');
}

describe.skipIf(binary === undefined)(
  'bentoctl release status, promote and abort from the CLI',
  () => {
    let folders: SharedStateWorkspaces;
    let statePath: string;
    let workspace: Workspace;
    let fresh: Workspace;
    let main: StandInService;
    let candidate: StandInService;
    let endpoint: string;
    let candidateEndpoint: string;
    /** What the endpoint serves (the stable revision) and what the candidate URL serves. */
    let stableHex = 'a';
    let newestHex = 'a';
    const { cli, status, expectNoChanges } = releaseCli<Status>();
    /** The stack generate would write for the revision of image `hex`. */
    const deploy = (hex: string) => {
      workspace.writeBuildRecord(image(hex), `bento-${hex}`);
      writeStackJson(
        workspace,
        trafficStandInStack({
          statePath,
          image: image(hex),
          revision: revision(hex),
          endpoint,
          candidateEndpoint,
          outputs: { traffic: { value: '${terraform_data.traffic.output}' } },
        }),
      );
    };
    const tfvars = () =>
      JSON.parse(
        readFileSync(join(workspace.paths.stack, 'bentoctl-traffic.auto.tfvars.json'), 'utf8'),
      ) as { bentoctl_traffic: unknown };

    beforeAll(async () => {
      assertCliBuilt();
      folders = createSharedStateWorkspaces('traffic-cli');
      ({ statePath, workspace, fresh } = folders);
      const release = '  strategy: canary\n  percent: 10\n  bake_minutes: 15';
      for (const each of [workspace, fresh]) {
        writeFileSync(
          each.configFile,
          configText('traffic-cli', 'google-cloud-run', statePath, release),
        );
      }
      workspace.writeStack({ image: image('a'), replicas: 1, revision: 'x', endpoint: '' });
      main = await startStandIn(() => served(stableHex));
      candidate = await startStandIn(() => served(newestHex));
      endpoint = main.endpoint;
      candidateEndpoint = candidate.endpoint;
    });
    afterAll(async () => {
      await main?.close();
      await candidate?.close();
      folders?.remove();
    });

    it('GIVEN the first apply under canary THEN that revision takes all traffic and keeps the candidate tag', async () => {
      deploy('a');
      const result = await cli(workspace, 'apply', '--no-generate', '--auto-approve');

      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toContain(
        `No earlier revision of traffic-cli is recorded under a canary release, so this one (${revision('a')}) takes all traffic`,
      );
      expect(tfvars()).toEqual({
        bentoctl_traffic: [{ revision: revision('a'), percent: 100, tag: 'candidate' }],
      });
      expect(await status(fresh)).toMatchObject({ movedBy: 'bentoctl', phase: 'settled' });
    });

    it('GIVEN a new revision WHEN applied THEN it gets 10 %, the previous one 90 %, and apply waits on its own URL', async () => {
      deploy('b');
      newestHex = 'b';
      const result = await cli(workspace, 'apply', '--no-generate', '--auto-approve');

      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toContain(
        `Traffic after this plan: ${revision('a')} 90 %, ${revision('b')} 10 % (tag candidate)`,
      );
      // The endpoint still answers from a; the candidate's URL answers from b.
      expect(result.stdout).toContain(
        `${candidateEndpoint}/readyz is ready and serves bento bento-b`,
      );
      expect(tfvars()).toEqual({
        bentoctl_traffic: [
          { revision: revision('a'), percent: 90, tag: null },
          { revision: revision('b'), percent: 10, tag: 'candidate' },
        ],
      });
      await expectNoChanges(workspace);
    });

    it('GIVEN a canary WHEN status runs from a fresh folder THEN it shows the shares, their releases, health and bake left', async () => {
      const shown = await status(fresh);
      const text = await cli(fresh, 'release', 'status');

      expect(shown.phase).toBe('canary');
      expect(shown.bakeMinutesLeft).toBe(15);
      expect(
        shown.shares.map((share) => [
          share.revision,
          share.percent,
          share.role,
          share.release?.number,
        ]),
      ).toEqual([
        [revision('a'), 90, 'stable', 1],
        [revision('b'), 10, 'candidate', 2],
      ]);
      expect(shown.shares[1]?.health).toMatchObject({
        up: true,
        revision: { imageDigest: digest('b') },
      });
      expect(text.stdout).toMatch(
        /^release {4}canary: 10 % to the new revision for 15 min, then 100 % \(or back\)$/m,
      );
      expect(text.stdout).toMatch(/^phase {6}canary, 15 min of bake left$/m);
      // Cloud Run's candidate has a real traffic tag, and its URL is the tag's.
      expect(shown.shares.map((share) => [share.ownUrl, share.tag])).toEqual([
        [null, null],
        ['tag candidate', 'candidate'],
      ]);
      expect(text.stdout).toContain(
        `${revision('b')} 10 % candidate (tag candidate): release 2 (bento bento-b); ${candidateEndpoint} up`,
      );
    });

    it('GIVEN a canary still baking WHEN promoted THEN it refuses with the minutes left, and --skip-bake promotes', async () => {
      const early = await cli(fresh, 'release', 'promote', '--no-generate', '--auto-approve');
      expect(early.status).toBe(2);
      expect(early.stderr).toContain(
        'Error [RELEASE_BAKING]: The canary of traffic-cli (10 % of the traffic) bakes 15 more min',
      );

      stableHex = 'b';
      const result = await cli(
        workspace,
        'release',
        'promote',
        '--no-generate',
        '--auto-approve',
        '--skip-bake',
      );

      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain(
        `Promoted traffic-cli: revision ${revision('b')} (release 2) takes all traffic.`,
      );
      expect(result.stdout).toContain(`${endpoint}/readyz is ready and serves bento bento-b`);
      expect(tfvars()).toEqual({
        bentoctl_traffic: [{ revision: revision('b'), percent: 100, tag: 'candidate' }],
      });
      const shown = await status(fresh);
      expect(shown.phase).toBe('settled');
      expect(shown.shares.map((share) => [share.revision, share.percent])).toEqual([
        [revision('b'), 100],
      ]);
      const listed = await cli(fresh, 'releases', '--json');
      expect((JSON.parse(listed.stdout) as { releases: unknown[] }).releases).toHaveLength(2);
    });

    it('GIVEN a new canary WHEN aborted THEN the stable revision gets everything back and the candidate keeps only its tag', async () => {
      deploy('c');
      newestHex = 'c';
      const started = await cli(workspace, 'apply', '--no-generate', '--auto-approve');
      expect(started.status, started.stderr).toBe(0);

      const result = await cli(workspace, 'release', 'abort', '--no-generate', '--auto-approve');

      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain(
        `Aborted the candidate of traffic-cli: revision ${revision('b')} (release 2) takes all traffic again.`,
      );
      expect(result.stdout).toContain(`${endpoint}/readyz is ready and serves bento bento-b`);
      expect(tfvars()).toEqual({
        bentoctl_traffic: [
          { revision: revision('b'), percent: 100, tag: null },
          { revision: revision('c'), percent: 0, tag: 'candidate', drained: true },
        ],
      });
      expect((await status(fresh)).phase).toBe('aborted');
      // The aborted state is what the state records: a plain re-plan changes nothing.
      await expectNoChanges(workspace);
    });

    it('GIVEN a new revision WHEN planned with --markdown THEN the PR comment says what share it gets, for how long, and what follows', async () => {
      deploy('d');
      const file = join(folders.stateDir, 'plan.md');
      const result = await cli(workspace, 'plan', '--no-generate', '--markdown', file);

      expect(result.status, result.stderr).toBe(0);
      expect(readFileSync(file, 'utf8')).toContain(
        `**Release:** canary: 10 % to bento bento-d for 15 min, then 100 % (or back). Traffic after this apply: ${revision('b')} 90 %, ${revision('d')} 10 % (tag candidate); then \`bentoctl release promote\` (or \`release abort\`).`,
      );
      deploy('c');
    });

    it('GIVEN nothing in progress WHEN aborted again THEN it exits 2 saying so, before any plan', async () => {
      const result = await cli(fresh, 'release', 'abort', '--no-generate', '--auto-approve');

      expect(result.status).toBe(2);
      expect(result.stderr).toContain(
        'Error [RELEASE_NOT_IN_PROGRESS]: Cannot abort the release of traffic-cli: no candidate takes part of its traffic (the release is aborted).',
      );
      expect(result.stderr).not.toContain('terraform plan');
    });

    it('GIVEN a canary WHEN terminated THEN promote and abort refuse (DEPLOYMENT_TERMINATED) and status shows both the lifecycle and the shares', async () => {
      deploy('d');
      newestHex = 'd';
      const started = await cli(workspace, 'apply', '--no-generate', '--auto-approve');
      expect(started.status, started.stderr).toBe(0);
      const terminated = await cli(workspace, 'terminate', '--no-generate', '--auto-approve');
      expect(terminated.status, terminated.stderr).toBe(0);

      for (const action of ['promote', 'abort']) {
        const result = await cli(
          fresh,
          'release',
          action,
          '--no-generate',
          '--auto-approve',
          ...(action === 'promote' ? ['--skip-bake'] : []),
        );
        expect(result.status, result.stderr).toBe(2);
        expect(result.stderr).toContain(
          `Error [DEPLOYMENT_TERMINATED]: \`bentoctl release ${action}\` refused: deployment traffic-cli is terminated`,
        );
        expect(result.stderr).toContain('it serves no traffic to move, so nothing was planned.');
        expect(result.stderr).toContain('bentoctl restore -f deployment_config.yaml');
        expect(result.stderr).not.toContain('terraform plan');
      }
      const shown = await cli(workspace, 'status', '--no-live');
      expect(shown.status, shown.stderr).toBe(0);
      expect(shown.stdout).toMatch(/^lifecycle +terminated \(since /m);
      expect(shown.stdout).toMatch(
        new RegExp(
          `^traffic +canary \\(canary\\): 90 % ${revision('b')} \\(release 2\\), 10 % ${revision('d')} \\(release \\d+\\)$`,
          'm',
        ),
      );
    });

    it('GIVEN aws-ecs under canary WHEN promoted THEN it says ECS moves the traffic itself', async () => {
      const ecs = createWorkspace('traffic-ecs');
      try {
        writeFileSync(
          ecs.configFile,
          configText(
            'traffic-ecs',
            'aws-ecs',
            join(ecs.dir, 'state.tfstate'),
            '  strategy: canary',
          ),
        );
        const shown = await cli(ecs, 'release', 'status');
        const result = await cli(ecs, 'release', 'promote', '--auto-approve');

        expect(shown.status, shown.stderr).toBe(0);
        expect(shown.stdout).toMatch(
          /^moved by {3}aws-ecs \(the platform shifts the traffic and its alarms roll back/m,
        );
        expect(result.status).toBe(2);
        expect(result.stderr).toContain(
          'Error [RELEASE_MOVED_BY_PLATFORM]: On aws-ecs the platform moves the traffic of a canary release of traffic-ecs itself',
        );
      } finally {
        ecs.remove();
      }
    });
  },
);

/**
 * azure-aks: the release history and the traffic live in the workload stack (the second of
 * two). The stand-in workload keeps the real stack's traffic wiring, copied from what the
 * azure-aks synthesizer writes: its variables, the stable revision's snapshot, the stable
 * Deployment's image expression, the candidate's count and create_before_destroy, the
 * VirtualService's weights and dependencies and the candidate_endpoint expression, each on a
 * `terraform_data` instead of a Kubernetes resource, so real terraform evaluates them.
 */
describe.skipIf(binary === undefined)('bentoctl release on azure-aks (two stacks)', () => {
  const aksImage = (hex: string) => `irisprod.azurecr.io/aks-cli@${digest(hex)}`;
  let stateDir: string;
  let workspace: Workspace;
  let fresh: Workspace;
  let main: StandInService;
  let candidate: StandInService;
  let endpoint: string;
  let candidateEndpoint: string;
  let stableHex = 'a';
  let newestHex = 'a';
  let config: ResolvedConfig;
  const revisions = new Map<string, string>();
  const aksConfig = (statePath: string) =>
    [
      'api_version: v1',
      'name: aks-cli',
      'bento: ./bento',
      'target: azure-aks',
      'spec:',
      '  location: westeurope',
      '  api_server_authorized_ip_ranges: [203.0.113.0/24]',
      '  service_mesh_revision: asm-1-27',
      'release:',
      '  strategy: canary',
      '  percent: 20',
      '  bake_minutes: 10',
      'state:',
      '  backend: local',
      `  path: ${statePath}`,
      '',
    ].join('\n');
  // One TF_DATA_DIR for both stacks would mix their backends: each stack keeps its .terraform.
  const { cli, status, expectNoChanges } = releaseCli<Status>({
    baseEnv: (from) => {
      const { TF_DATA_DIR: _shared, ...rest } = from.env;
      return rest;
    },
  });
  const statePathOf = (name: string) => {
    const stack = deploymentStacks(config, workspace.paths).find((each) => each.name === name);
    if (stack?.state.backend !== 'local' || stack.state.path === undefined)
      throw new Error(`no local state for ${name}`);
    return stack.state.path;
  };
  const stateOf = (name: string) =>
    JSON.parse(readFileSync(statePathOf(name), 'utf8')) as {
      outputs: Record<string, { value: unknown }>;
      resources: {
        type: string;
        name: string;
        instances: { attributes: { output: { value: unknown } } }[];
      }[];
    };
  /** What the applied stand-in runs: the stable image, and the candidate's when one exists. */
  const running = () => {
    const resources = stateOf('workload').resources;
    const outputOf = (name: string) =>
      resources
        .filter((each) => each.type === 'terraform_data' && each.name === name)
        .flatMap((each) => each.instances.map((instance) => instance.attributes.output.value));
    return {
      stable: outputOf('deployment'),
      candidate: outputOf('candidate_deployment'),
      weights: outputOf('virtual_service'),
    };
  };

  /** The two stacks generate would write for image `hex`, Kubernetes swapped for terraform_data. */
  const deploy = (hex: string) => {
    workspace.writeBuildRecord(aksImage(hex), `bento-${hex}`);
    const [repository, imageDigest] = aksImage(hex).split('@') as [string, string];
    const synthesized = synthesizeTargetStacks<AzureAksSpec>(
      synthesizeAzureAks,
      config,
      imageReference(repository, imageDigest),
    );
    const real = synthesized.workload as {
      variable: Record<string, unknown>;
      resource: Record<string, Record<string, Record<string, unknown>>>;
      output: Record<string, { value: string }>;
    };
    const k8s = (type: string, name: string) => {
      const found = real.resource[type]?.[name];
      if (found === undefined) throw new Error(`the workload has no ${type}.${name}`);
      return found as {
        count?: string;
        lifecycle?: Record<string, unknown>;
        depends_on?: string[];
        spec: { template: { spec: { container: { image: string }[] } } };
        manifest: { spec: { http: { route: { weight: string }[] }[] } };
      };
    };
    const imageOf = (name: string) =>
      k8s('kubernetes_deployment_v1', name).spec.template.spec.container[0]!.image;
    const candidateDeployment = k8s('kubernetes_deployment_v1', 'candidate_deployment');
    const virtualService = k8s('kubernetes_manifest', 'virtual_service');
    const weights = virtualService.manifest.spec.http[0]!.route.map((route) => route.weight);
    const revision = (real.variable.bentoctl_traffic as { default: { revision: string }[] })
      .default[0]!.revision;
    revisions.set(hex, revision);
    const cluster = {
      terraform: { backend: { local: { path: statePathOf('cluster') } } },
      resource: { terraform_data: { cluster: { input: 'aks-cli-aks' } } },
      output: {
        ingress_gateway: { value: synthesized.cluster!.output!.ingress_gateway!.value },
      },
    };
    const workload = {
      terraform: { backend: { local: { path: statePathOf('workload') } } },
      variable: real.variable,
      data: {
        terraform_remote_state: {
          cluster: { backend: 'local', config: { path: statePathOf('cluster') } },
        },
      },
      resource: {
        terraform_data: {
          stable_revision: real.resource.terraform_data!.stable_revision,
          deployment: { input: { image: imageOf('deployment') } },
          candidate_deployment: {
            count: candidateDeployment.count,
            // ignore_changes names a Kubernetes attribute; the ordering is what matters here.
            lifecycle: {
              create_before_destroy: candidateDeployment.lifecycle?.create_before_destroy,
            },
            input: { image: imageOf('candidate_deployment') },
            provisioner: [
              { 'local-exec': { command: `echo candidate created >> ${eventLog()}` } },
              {
                'local-exec': { when: 'destroy', command: `echo candidate gone >> ${eventLog()}` },
              },
            ],
          },
          // Replaced on each move (the real VirtualService is updated), so that its provisioner
          // logs when the routes move, against the candidate's creation and destruction.
          virtual_service: {
            input: weights,
            triggers_replace: weights,
            provisioner: [
              {
                'local-exec': {
                  command: `echo routes \${join(",", self.output)} >> ${eventLog()}`,
                },
              },
            ],
            depends_on: (virtualService.depends_on ?? [])
              .filter((address) => address.startsWith('kubernetes_deployment_v1.'))
              .map((address) => address.replace('kubernetes_deployment_v1.', 'terraform_data.')),
          },
        },
      },
      output: {
        endpoint: { value: endpoint },
        candidate_endpoint: {
          value: real.output.candidate_endpoint!.value.replace(
            'http://${kubernetes_service_v1.candidate_service.status[0].load_balancer[0].ingress[0].ip}',
            candidateEndpoint,
          ),
        },
        ingress_gateway: {
          value: '${data.terraform_remote_state.cluster.outputs.ingress_gateway}',
        },
      },
    };
    for (const [name, json] of [
      ['cluster', cluster],
      ['workload', workload],
    ] as const) {
      mkdirSync(join(workspace.paths.stack, name), { recursive: true });
      writeFileSync(
        join(workspace.paths.stack, name, 'main.tf.json'),
        JSON.stringify(json, null, 2),
      );
    }
  };
  const eventLog = () => join(stateDir, 'events.log');
  /** The provisioners' lines since the last call: candidate created/gone, routes moved. */
  let eventsSeen = 0;
  const newEvents = () => {
    const lines = readFileSync(eventLog(), 'utf8').trim().split('\n');
    const fresh = lines.slice(eventsSeen);
    eventsSeen = lines.length;
    return fresh;
  };
  const tfvars = () =>
    JSON.parse(
      readFileSync(
        join(workspace.paths.stack, 'workload', 'bentoctl-traffic.auto.tfvars.json'),
        'utf8',
      ),
    ) as Record<string, unknown>;

  beforeAll(async () => {
    assertCliBuilt();
    stateDir = mkdtempSync(join(tmpdir(), 'bentoctl-aks-traffic-'));
    const statePath = join(stateDir, 'aks-cli.tfstate');
    workspace = createWorkspace('aks-cli', { statePath });
    fresh = createWorkspace('aks-cli', { statePath });
    for (const each of [workspace, fresh]) writeFileSync(each.configFile, aksConfig(statePath));
    config = loadConfig(workspace.configFile);
    main = await startStandIn(() => served(stableHex));
    candidate = await startStandIn(() => served(newestHex));
    endpoint = main.endpoint;
    candidateEndpoint = candidate.endpoint;
  });
  afterAll(async () => {
    await main?.close();
    await candidate?.close();
    workspace?.remove();
    fresh?.remove();
    if (stateDir !== undefined) rmSync(stateDir, { recursive: true, force: true });
  });

  it('GIVEN the first apply under canary THEN both stacks apply, its revision is stable, and no candidate runs', async () => {
    deploy('a');
    const result = await cli(workspace, 'apply', '--no-generate', '--auto-approve');

    expect(result.status, result.stderr).toBe(0);
    expect(tfvars()).toEqual({
      bentoctl_traffic: [{ revision: revisions.get('a'), percent: 100, tag: 'candidate' }],
      bentoctl_traffic_phase: 'settled',
    });
    expect(running()).toEqual({
      stable: [{ image: aksImage('a') }],
      candidate: [],
      weights: [[100, 0]],
    });
    expect(newEvents()).toEqual(['routes 100,0']);
    // The history is in the workload stack's state, not the cluster's.
    expect(stateOf('workload').outputs.bentoctl_releases).toBeDefined();
    expect(stateOf('cluster').outputs.bentoctl_releases).toBeUndefined();
    expect(stateOf('workload').outputs.candidate_endpoint).toBeUndefined();
    const shown = await status(fresh);
    expect(shown.phase).toBe('settled');
    // Settled, the stable revision is asked on the endpoint (there is no candidate URL).
    expect(shown.shares[0]?.health).toMatchObject({
      up: true,
      revision: { imageDigest: digest('a') },
    });
  });

  it('GIVEN a new image WHEN planned THEN the plan creates the candidate and moves the weights, and leaves the stable pods alone', async () => {
    deploy('b');
    newestHex = 'b';
    const planned = await cli(workspace, 'plan', '--no-generate');

    expect(planned.status, planned.stderr).toBe(0);
    expect(planned.stdout).toMatch(/workload: terraform_data\.candidate_deployment\[0\]\s+create/);
    expect(planned.stdout).toMatch(/workload: terraform_data\.virtual_service\s+replace/);
    expect(planned.stdout).not.toMatch(/terraform_data\.deployment\s/);
    expect(planned.stdout).not.toMatch(/terraform_data\.stable_revision\s/);
  });

  it('GIVEN that new image WHEN applied THEN the candidate gets 20 % beside the stable pods, and apply waits on its own address', async () => {
    const result = await cli(workspace, 'apply', '--no-generate', '--auto-approve');

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `${candidateEndpoint}/readyz is ready and serves bento bento-b`,
    );
    // No tag on AKS: the candidate's own URL is its own LoadBalancer Service.
    expect(result.stderr).toContain(
      `Traffic after this plan: ${revisions.get('a')} 80 %, ${revisions.get('b')} 20 % (own URL: Service aks-cli-candidate)`,
    );
    expect(tfvars()).toEqual({
      bentoctl_traffic: [
        { revision: revisions.get('a'), percent: 80, tag: null },
        { revision: revisions.get('b'), percent: 20, tag: 'candidate' },
      ],
      bentoctl_traffic_phase: 'canary',
    });
    expect(running()).toEqual({
      stable: [{ image: aksImage('a') }],
      candidate: [{ image: aksImage('b') }],
      weights: [[80, 20]],
    });
    // The routes move to the candidate only once it exists (rolled out, on a cluster).
    expect(newEvents()).toEqual(['candidate created', 'routes 80,20']);
    await expectNoChanges(workspace);
  });

  it('GIVEN that canary WHEN status runs from a fresh folder THEN it shows both Deployments, their releases, health and bake left', async () => {
    const shown = await status(fresh);
    const text = await cli(fresh, 'release', 'status');

    expect(shown.phase).toBe('canary');
    expect(shown.bakeMinutesLeft).toBe(10);
    expect(
      shown.shares.map((share) => [
        share.revision,
        share.percent,
        share.role,
        share.release?.number,
      ]),
    ).toEqual([
      [revisions.get('a'), 80, 'stable', 1],
      [revisions.get('b'), 20, 'candidate', 2],
    ]);
    expect(shown.shares.map((share) => share.health?.revision?.imageDigest)).toEqual([
      digest('a'),
      digest('b'),
    ]);
    expect(shown.shares.map((share) => [share.ownUrl, share.tag])).toEqual([
      [null, null],
      ['own URL: Service aks-cli-candidate', null],
    ]);
    expect(text.stdout).toMatch(/^phase {6}canary, 10 min of bake left$/m);
    expect(text.stdout).toContain(
      `${revisions.get('b')} 20 % candidate (own URL: Service aks-cli-candidate): release 2 `,
    );
    expect(text.stdout).not.toContain('tag');
  });

  it('GIVEN that canary WHEN promoted THEN the stable Deployment takes the candidate image, all traffic, and the candidate is gone', async () => {
    stableHex = 'b';
    const result = await cli(
      workspace,
      'release',
      'promote',
      '--no-generate',
      '--auto-approve',
      '--skip-bake',
    );

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${endpoint}/readyz is ready and serves bento bento-b`);
    // The candidate Deployment and its address are gone: no own URL is spoken of.
    expect(result.stderr).toMatch(
      new RegExp(`^Traffic after this plan: ${revisions.get('b')} 100 %$`, 'm'),
    );
    expect(tfvars()).toEqual({
      bentoctl_traffic: [{ revision: revisions.get('b'), percent: 100, tag: 'candidate' }],
      bentoctl_traffic_phase: 'settled',
    });
    expect(running()).toEqual({
      stable: [{ image: aksImage('b') }],
      candidate: [],
      weights: [[100, 0]],
    });
    // The candidate goes only after the routes left it, so no request reaches a pod that stops.
    expect(newEvents()).toEqual(['routes 100,0', 'candidate gone']);
    expect(stateOf('workload').outputs.candidate_endpoint).toBeUndefined();
    // No candidate, no URL of its own: the settled revision answers on the endpoint only.
    expect((await status(fresh)).shares.map((share) => [share.url, share.ownUrl])).toEqual([
      [endpoint, null],
    ]);
  });

  it('GIVEN a new canary WHEN aborted THEN the stable pods keep their image, get everything back, and the candidate is gone', async () => {
    deploy('c');
    newestHex = 'c';
    const started = await cli(workspace, 'apply', '--no-generate', '--auto-approve');
    expect(started.status, started.stderr).toBe(0);
    expect(running().candidate).toEqual([{ image: aksImage('c') }]);
    expect(newEvents()).toEqual(['candidate created', 'routes 80,20']);

    const result = await cli(workspace, 'release', 'abort', '--no-generate', '--auto-approve');

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${endpoint}/readyz is ready and serves bento bento-b`);
    expect(tfvars()).toMatchObject({ bentoctl_traffic_phase: 'aborted' });
    expect(running()).toEqual({
      stable: [{ image: aksImage('b') }],
      candidate: [],
      weights: [[100, 0]],
    });
    expect(newEvents()).toEqual(['routes 100,0', 'candidate gone']);
    expect((await status(fresh)).phase).toBe('aborted');
    await expectNoChanges(workspace);
  });

  it('GIVEN blue-green WHEN a new image is applied THEN its candidate runs with 0 % on its own address until promoted', async () => {
    for (const each of [workspace, fresh]) {
      writeFileSync(
        each.configFile,
        readFileSync(each.configFile, 'utf8').replace(
          '  strategy: canary\n  percent: 20\n  bake_minutes: 10\n',
          '  strategy: blue-green\n',
        ),
      );
    }
    config = loadConfig(workspace.configFile);
    deploy('d');
    newestHex = 'd';
    const applied = await cli(workspace, 'apply', '--no-generate', '--auto-approve');

    expect(applied.status, applied.stderr).toBe(0);
    expect(applied.stdout).toContain(
      `${candidateEndpoint}/readyz is ready and serves bento bento-d`,
    );
    expect(tfvars()).toEqual({
      bentoctl_traffic: [
        { revision: revisions.get('b'), percent: 100, tag: null },
        { revision: revisions.get('d'), percent: 0, tag: 'candidate' },
      ],
      bentoctl_traffic_phase: 'waiting',
    });
    expect(running()).toEqual({
      stable: [{ image: aksImage('b') }],
      candidate: [{ image: aksImage('d') }],
      weights: [[100, 0]],
    });
    expect(newEvents()).toEqual(['candidate created']);
    expect((await status(fresh)).phase).toBe('waiting');

    stableHex = 'd';
    const promoted = await cli(workspace, 'release', 'promote', '--no-generate', '--auto-approve');
    expect(promoted.status, promoted.stderr).toBe(0);
    expect(running()).toEqual({
      stable: [{ image: aksImage('d') }],
      candidate: [],
      weights: [[100, 0]],
    });
    expect(newEvents()).toEqual(['candidate gone']);
  });
});
