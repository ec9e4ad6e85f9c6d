/**
 * Releases as CI runs them: the built CLI in a child process, real terraform on a
 * terraform_data stack (--no-generate) whose state is a local-path backend shared with a second,
 * fresh folder that holds only the config, and a local HTTP server standing in for the service,
 * answering /readyz from the old revision before the new one (or never switching).
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTerraformForTests } from './helpers/terraform-available.js';
import { assertCliBuilt, runCli } from '../helpers/run-cli.js';
import { startStandIn, type StandInService } from './helpers/stand-in-service.js';
import {
  createSharedStateWorkspaces,
  createWorkspace,
  DEFAULT_SHAPE,
  type SharedStateWorkspaces,
  type Workspace,
} from './helpers/workspace.js';

const binary = await findTerraformForTests();

const digest = (hex: string) => `sha256:${hex.repeat(64)}`;
// An ECR repository: the aws-ecs stack pulls from other registries only with credentials.
const image = (hex: string) => `123456789012.dkr.ecr.us-east-1.amazonaws.com/demo@${digest(hex)}`;

interface ListedRelease {
  number: number;
  image_digest: string;
  bento_version: string | null;
  kind: string;
  by: string;
  current: boolean;
}

describe.skipIf(binary === undefined)('bentoctl releases and rollback from the CLI', () => {
  let folders: SharedStateWorkspaces;
  let workspace: Workspace;
  let fresh: Workspace;
  let service: StandInService;
  let endpoint: string;
  /** What the stand-in service serves on each request, in order; the last one repeats. */
  let serving: string[] = [];
  let hits = 0;
  const env = (from: Workspace) => ({
    ...from.env,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTOR: 'octocat',
  });
  const cli = (from: Workspace, ...args: string[]) =>
    runCli(args, { cwd: from.dir, env: env(from) });
  const deploy = (hex: string) => {
    workspace.writeBuildRecord(image(hex), `bento-${hex}`);
    workspace.writeStack({ ...DEFAULT_SHAPE, image: image(hex), endpoint });
  };

  beforeAll(async () => {
    assertCliBuilt();
    folders = createSharedStateWorkspaces('rel-cli');
    ({ workspace, fresh } = folders);
    service = await startStandIn(() => {
      const hex = serving[Math.min(hits, serving.length - 1)] ?? '0';
      hits += 1;
      return { bentoVersion: `bento-${hex}`, digest: digest(hex) };
    });
    endpoint = service.endpoint;
  });
  afterAll(async () => {
    await service?.close();
    folders?.remove();
  });

  it('GIVEN two applies of two digests WHEN the second rolls out THEN apply waits for the new digest and releases lists both', async () => {
    deploy('a');
    serving = ['a'];
    hits = 0;
    const first = await cli(workspace, 'apply', '--no-generate', '--auto-approve');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('Recorded release 1.');

    deploy('b');
    serving = ['a', 'a', 'b'];
    hits = 0;
    const second = await cli(workspace, 'apply', '--no-generate', '--auto-approve');

    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toContain(
      `Waiting up to 300 s for ${endpoint}/readyz to answer ready from bento bento-b, image ${digest('b')}`,
    );
    expect(second.stderr).toContain(
      `not yet: bento bento-a, image ${digest('a')} answers, waiting for bento bento-b, image ${digest('b')}`,
    );
    expect(second.stdout).toContain(
      `${endpoint}/readyz is ready and serves bento bento-b, image ${digest('b')}.`,
    );
    expect(hits).toBe(3);
    const listed = await cli(workspace, 'releases', '--json');
    expect(listed.status, listed.stderr).toBe(0);
    const { releases } = JSON.parse(listed.stdout) as { releases: ListedRelease[] };
    expect(
      releases.map((release) => [release.number, release.image_digest, release.current]),
    ).toEqual([
      [2, digest('b'), true],
      [1, digest('a'), false],
    ]);
    expect(releases[0]).toMatchObject({ bento_version: 'bento-b', by: 'github:octocat' });
  });

  it('GIVEN the applied deployment WHEN re-planned with --detailed-exitcode THEN nothing changes and it exits 0', async () => {
    const result = await cli(workspace, 'plan', '--no-generate', '--detailed-exitcode');

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('no changes');
  });

  it('GIVEN a fresh folder with only the config WHEN releases runs THEN it reads the same history from the backend', async () => {
    const text = await cli(fresh, 'releases');
    const listed = await cli(fresh, 'releases', '--json');

    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^2 .*sha256:bbbbbbbbbbbb.*github:octocat.*current$/m);
    expect(text.stdout).toMatch(/^1 .*sha256:aaaaaaaaaaaa.*github:octocat\s*$/m);
    const { releases } = JSON.parse(listed.stdout) as { releases: ListedRelease[] };
    expect(releases.map((release) => release.number)).toEqual([2, 1]);
  });

  it('GIVEN a deployment never applied WHEN releases runs THEN it says there is none yet', async () => {
    const other = createWorkspace('never-applied');
    try {
      const result = await cli(other, 'releases');

      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain(
        'never-applied has no recorded release yet: `bentoctl apply` records one.',
      );
    } finally {
      other.remove();
    }
  });

  it('GIVEN a fresh folder WHEN status runs THEN it shows the current release from the state', async () => {
    const result = await cli(fresh, 'status', '--json', '--no-live');
    const text = await cli(fresh, 'status', '--no-live');

    expect(text.stdout).toMatch(/^release\s+2 \(.*, by github:octocat\)$/m);
    expect(text.stdout).toContain(`serves bento bento-b, image ${digest('b')}`);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      source: 'release-history',
      release: { number: 2 },
      imageDigest: digest('b'),
      bentoVersion: 'bento-b',
      endpoint,
      health: { up: true, revision: { imageDigest: digest('b') } },
    });
  });

  it('GIVEN the old revision never gives way WHEN applied THEN it fails naming what answers, what was expected and a rollback', async () => {
    deploy('c');
    serving = ['b'];
    hits = 0;
    const result = await cli(
      workspace,
      'apply',
      '--no-generate',
      '--auto-approve',
      '--wait-timeout',
      '2',
    );

    expect(result.status).toBe(3);
    expect(result.stderr).toContain(
      `Error [REVISION_NOT_SERVING]: ${endpoint}/readyz still answers from bento bento-b, image ${digest('b')} after 2 s, not from the one just applied: bento bento-c, image ${digest('c')}.`,
    );
    expect(result.stderr).toContain('The platform may have rolled the deployment back');
    expect(result.stderr).toContain('aws ecs describe-services');
  });

  it('GIVEN no terminal WHEN rolling back without --auto-approve THEN it refuses before touching terraform', async () => {
    const result = await cli(fresh, 'rollback');

    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      'Error [CONFIRMATION_REQUIRED]: bentoctl rollback changes infrastructure',
    );
  });

  it('GIVEN --to naming no release WHEN rolling back THEN it exits 2 listing the releases there are', async () => {
    const result = await cli(fresh, 'rollback', '--to', '9', '--auto-approve');

    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      'Error [RELEASE_NOT_FOUND]: Cannot roll rel-cli back: release 9 is not in its history, which holds 1, 2, 3.',
    );
  });

  it('GIVEN a fresh folder WHEN rolled back THEN the stack is generated pinned to the earlier release digest', async () => {
    // Real generate makes a real aws-ecs stack, whose provider cannot be installed here; an
    // empty provider mirror makes that fail at once, the same with or without a network.
    // generate checks the bento, so this folder gets a real one.
    rmSync(join(fresh.dir, 'bento'), { recursive: true, force: true });
    cpSync(
      fileURLToPath(new URL('../../examples/iris', import.meta.url)),
      join(fresh.dir, 'bento'),
      {
        recursive: true,
      },
    );
    const config = join(folders.stateDir, 'no-providers.tfrc');
    writeFileSync(
      config,
      'provider_installation {\n  filesystem_mirror {\n    path = "/nonexistent/bentoctl-mirror"\n    include = ["*/*/*"]\n  }\n}\n',
    );
    const result = await runCli(['rollback', '--auto-approve'], {
      cwd: fresh.dir,
      env: { ...env(fresh), TF_CLI_CONFIG_FILE: config },
    });

    // Release 3 (digest c) is current; release 2 is the newest before it with another image.
    expect(result.stderr).toContain(`Rolling rel-cli back to release 2 (`);
    expect(result.stderr).toContain(`bento bento-b): ${image('b')}`);
    const stack = readFileSync(join(fresh.paths.stack, 'main.tf.json'), 'utf8');
    expect(stack).toContain(image('b'));
    expect(stack).toContain(`BENTOCTL_IMAGE_DIGEST\\",\\"value\\":\\"${digest('b')}`);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('Error [TERRAFORM_FAILED]: terraform init failed');
    const listed = await cli(fresh, 'releases', '--json');
    expect((JSON.parse(listed.stdout) as { releases: ListedRelease[] }).releases).toHaveLength(3);
  });
});
