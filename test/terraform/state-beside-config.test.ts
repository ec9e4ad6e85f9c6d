/**
 * The deployment folder lives beside the config (`<config folder>/.bentoctl/<name>/`), so the
 * built CLI finds the same records from any working directory: promote records a digest from
 * one folder, generate pins it from another, apply and releases run from a third (real
 * terraform on a terraform_data stack). BENTOCTL_STATE_DIR moves every deployment folder, and a
 * `./.bentoctl/<name>/` left in the current directory by an earlier bentoctl is refused, naming
 * both paths, instead of being silently ignored.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentPaths } from '../../src/config/deployment-paths.js';
import { makeBentoWorkspace } from '../helpers/bento-fixture.js';
import { DIGEST, ECR_REPOSITORY, configText } from '../targets/target-synth-harness.js';
import { findTerraformForTests } from './helpers/terraform-available.js';
import { assertCliBuilt, runCli } from '../helpers/run-cli.js';
import { createWorkspace, DEFAULT_SHAPE, type Workspace } from './helpers/workspace.js';

const binary = await findTerraformForTests();
const STAGING_REPOSITORY = ECR_REPOSITORY.replace('iris-prod', 'iris-staging');

describe('deployment folder beside the config (CLI)', () => {
  let root: string;
  let deploy: string;
  let elsewhere: string;
  const env = (extra: Record<string, string> = {}) => ({
    ...process.env,
    NO_COLOR: '1',
    BENTOCTL_STATE_DIR: undefined,
    BENTOCTL_HOME: root,
    ...extra,
  });

  beforeAll(() => {
    assertCliBuilt();
    root = makeBentoWorkspace();
    // The configs and their bento live in deploy/; the commands run from other folders.
    deploy = join(root, 'deploy');
    elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere);
    mkdirSync(deploy);
    rmSync(join(deploy, 'iris'), { recursive: true, force: true });
    // Both pull from one repository, so promote copies nothing and needs no registry.
    const config = (name: string) =>
      configText('aws-ecs', 'region: us-east-1')
        .replace('iris-prod', name)
        .replace('./iris', '../iris')
        .concat(`image:\n  repository: ${STAGING_REPOSITORY}\n`);
    writeFileSync(join(deploy, 'prod.yaml'), config('iris-prod'));
    writeFileSync(join(deploy, 'staging.yaml'), config('iris-staging'));
    // What `build --push -f deploy/staging.yaml` records.
    const staging = deploymentPaths('iris-staging', deploy, { env: {} });
    mkdirSync(staging.root, { recursive: true });
    writeFileSync(
      staging.buildRecord,
      JSON.stringify({ repository: STAGING_REPOSITORY, digest: DIGEST, tag: 'v1' }),
    );
  });
  afterAll(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it('GIVEN configs in deploy/ WHEN promote runs from one folder and generate from another THEN generate pins the digest promote recorded beside the config', async () => {
    const promoted = await runCli(
      ['promote', '--from', '../deploy/staging.yaml', '--to', '../deploy/prod.yaml', '--json'],
      { cwd: elsewhere, env: env() },
    );
    expect(promoted.status, promoted.stdout).toBe(0);
    const prod = deploymentPaths('iris-prod', deploy, { env: {} });
    expect(JSON.parse(promoted.stdout)).toMatchObject({
      digest: DIGEST,
      buildRecord: prod.buildRecord,
    });
    expect(existsSync(join(elsewhere, '.bentoctl'))).toBe(false);

    const generated = await runCli(['generate', '-f', 'deploy/prod.yaml', '--json'], {
      cwd: root,
      env: env(),
    });

    expect(generated.status, generated.stderr + generated.stdout).toBe(0);
    expect(JSON.parse(generated.stdout)).toMatchObject({
      imageSource: 'build-record',
      image: `${STAGING_REPOSITORY}@${DIGEST}`,
      out: prod.stack,
    });
    expect(readFileSync(join(prod.stack, 'main.tf.json'), 'utf8')).toContain(DIGEST);
    expect(existsSync(join(root, '.bentoctl'))).toBe(false);
  });

  it('GIVEN the configs folder WHEN list runs there THEN it shows both deployments and the recorded digest', async () => {
    const listed = await runCli(['list', '--json'], { cwd: deploy, env: env() });

    expect(listed.status, listed.stderr).toBe(0);
    const rows = JSON.parse(listed.stdout) as { name: string; builtDigest: string | null }[];
    expect(rows.map((row) => [row.name, row.builtDigest])).toEqual([
      ['iris-prod', DIGEST],
      ['iris-staging', DIGEST],
    ]);
  });

  it('GIVEN BENTOCTL_STATE_DIR WHEN generate runs THEN it reads and writes <dir>/<name>/ instead, and says where it looked', async () => {
    const state = join(root, 'ci-state');
    const missing = await runCli(['generate', '-f', 'deploy/prod.yaml'], {
      cwd: root,
      env: env({ BENTOCTL_STATE_DIR: 'ci-state' }),
    });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('IMAGE_NOT_RECORDED');
    expect(missing.stderr).toContain(join(state, 'iris-prod', 'build.json'));

    const generated = await runCli(
      ['generate', '-f', '../deploy/prod.yaml', '--image', `${ECR_REPOSITORY}@${DIGEST}`, '--json'],
      { cwd: elsewhere, env: env({ BENTOCTL_STATE_DIR: state }) },
    );
    expect(generated.status, generated.stderr + generated.stdout).toBe(0);
    expect(JSON.parse(generated.stdout)).toMatchObject({
      out: join(state, 'iris-prod', 'stack'),
    });
  });

  it('GIVEN a ./.bentoctl/<name>/ left in the current folder and none beside the config WHEN a command runs THEN it stops with DEPLOYMENT_DIR_ELSEWHERE naming both', async () => {
    const legacy = join(elsewhere, '.bentoctl', 'iris-legacy');
    mkdirSync(legacy, { recursive: true });
    writeFileSync(
      join(legacy, 'build.json'),
      JSON.stringify({ repository: ECR_REPOSITORY, digest: DIGEST }),
    );
    writeFileSync(
      join(deploy, 'legacy.yaml'),
      readFileSync(join(deploy, 'prod.yaml'), 'utf8').replace('iris-prod', 'iris-legacy'),
    );

    const result = await runCli(['generate', '-f', '../deploy/legacy.yaml'], {
      cwd: elsewhere,
      env: env(),
    });

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('DEPLOYMENT_DIR_ELSEWHERE');
    expect(result.stderr).toContain(legacy);
    expect(result.stderr).toContain(join(deploy, '.bentoctl', 'iris-legacy'));
    expect(existsSync(join(deploy, '.bentoctl', 'iris-legacy'))).toBe(false);

    // The override the fix names keeps using the current folder's records.
    const kept = await runCli(['generate', '-f', '../deploy/legacy.yaml', '--json'], {
      cwd: elsewhere,
      env: env({ BENTOCTL_STATE_DIR: '.bentoctl' }),
    });
    expect(kept.status, kept.stderr).toBe(0);
    expect(JSON.parse(kept.stdout)).toMatchObject({ imageSource: 'build-record' });
  });
});

describe.skipIf(binary === undefined)('apply and releases from other folders', () => {
  let workspace: Workspace;
  let cwd: string;

  beforeAll(() => {
    assertCliBuilt();
    workspace = createWorkspace('far-away');
    cwd = join(workspace.dir, 'somewhere', 'else');
    mkdirSync(cwd, { recursive: true });
  });
  afterAll(() => workspace?.remove());

  it('GIVEN a stack beside the config WHEN apply and releases run from another folder THEN they use it and record the digest there', async () => {
    const image = `123456789012.dkr.ecr.us-east-1.amazonaws.com/demo@sha256:${'c'.repeat(64)}`;
    workspace.writeBuildRecord(image, 'bento-c');
    workspace.writeStack({ ...DEFAULT_SHAPE, image });
    const cli = (...args: string[]) =>
      runCli([...args, '-f', workspace.configFile], {
        cwd,
        env: { ...workspace.env, BENTOCTL_STATE_DIR: undefined },
      });

    const applied = await cli('apply', '--no-generate', '--auto-approve', '--no-wait');
    expect(applied.status, applied.stderr).toBe(0);
    const releases = await cli('releases', '--json');

    expect(releases.status, releases.stderr).toBe(0);
    const { releases: listed } = JSON.parse(releases.stdout) as {
      releases: { image_digest: string }[];
    };
    expect(listed.map((release) => release.image_digest)).toEqual([`sha256:${'c'.repeat(64)}`]);
    expect(existsSync(join(workspace.paths.root, 'apply.json'))).toBe(true);
    expect(existsSync(join(cwd, '.bentoctl'))).toBe(false);
  });
});
