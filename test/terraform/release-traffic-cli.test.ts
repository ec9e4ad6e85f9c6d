/**
 * Canary releases as CI runs them: the built CLI in a child process, real terraform on a stand-in
 * stack of built-in resources that takes its traffic split as the `bentoctl_traffic` variable
 * (as the google-cloud-run stack does), a local-path state shared with a fresh folder, and two
 * local HTTP servers standing in for the endpoint and the candidate's tagged URL.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTerraformForTests } from './helpers/terraform-available.js';
import { assertCliBuilt, runCli } from '../helpers/run-cli.js';
import { startStandIn, type StandInService } from './helpers/stand-in-service.js';
import {
  createSharedStateWorkspaces,
  createWorkspace,
  type SharedStateWorkspaces,
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
    const env = (from: Workspace) => ({ ...from.env, CI: 'true', GITHUB_ACTIONS: 'true' });
    const cli = (from: Workspace, ...args: string[]) =>
      runCli(args, { cwd: from.dir, env: env(from) });
    const status = async (from: Workspace): Promise<Status> => {
      const result = await cli(from, 'release', 'status', '--json');
      expect(result.status, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as Status;
    };
    /** The stack generate would write for the revision of image `hex`. */
    const deploy = (hex: string) => {
      workspace.writeBuildRecord(image(hex), `bento-${hex}`);
      const stack = {
        terraform: { backend: { local: { path: statePath } } },
        variable: {
          bentoctl_traffic: {
            type: 'list(object({ revision = string, percent = number, tag = optional(string) }))',
            default: [{ revision: revision(hex), percent: 100, tag: 'candidate' }],
          },
        },
        resource: {
          terraform_data: {
            service: { input: { image: image(hex), revision: revision(hex) } },
            traffic: { input: '${var.bentoctl_traffic}' },
          },
        },
        output: {
          endpoint: { value: endpoint },
          candidate_endpoint: { value: candidateEndpoint },
          traffic: { value: '${terraform_data.traffic.output}' },
        },
      };
      writeFileSync(join(workspace.paths.stack, 'main.tf.json'), JSON.stringify(stack, null, 2));
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
      const again = await cli(workspace, 'plan', '--no-generate', '--detailed-exitcode');
      expect(again.status, again.stdout).toBe(0);
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
      const again = await cli(workspace, 'plan', '--no-generate', '--detailed-exitcode');
      expect(again.status, again.stdout).toBe(0);
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
