/**
 * The release history against the real terraform binary on a terraform_data stack whose state
 * is a local-path backend: applies record releases in the state, a failed apply records none, a
 * fresh folder with only the config reads the same history, and a rollback applies the earlier
 * digest and records itself. Steps share one workspace and run in order.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TerraformBinary } from '../../src/terraform/binary.js';
import { TerraformRunner } from '../../src/terraform/runner.js';
import { Terraform } from '../../src/terraform/terraform.js';
import { applyDeployment } from '../../src/deploy/apply-deployment.js';
import type { Approval, DeploymentRun } from '../../src/deploy/deployment-run.js';
import { planDeployment } from '../../src/deploy/plan-deployment.js';
import { readReleases } from '../../src/deploy/read-releases.js';
import { chooseRollback, releaseImage } from '../../src/deploy/rollback.js';
import { findTerraformForTests } from '../terraform/helpers/terraform-available.js';
import {
  createSharedStateWorkspaces,
  DEFAULT_SHAPE,
  type SharedStateWorkspaces,
  type StackShape,
  type Workspace,
} from '../terraform/helpers/workspace.js';

const binary: TerraformBinary | undefined = await findTerraformForTests();
const approveAll: Approval = { review: () => undefined, confirm: async () => true };
const IMAGE_A = `registry.example.com/demo@sha256:${'a'.repeat(64)}`;
const IMAGE_B = `registry.example.com/demo@sha256:${'b'.repeat(64)}`;
const IMAGE_C = `registry.example.com/demo@sha256:${'c'.repeat(64)}`;

describe.skipIf(binary === undefined)('release history in the terraform state', () => {
  let workspace: Workspace;
  let fresh: Workspace;
  let shape: StackShape = { ...DEFAULT_SHAPE, image: IMAGE_A };
  let run: DeploymentRun;
  const env = { ...process.env, GITHUB_ACTIONS: 'true', GITHUB_ACTOR: 'octocat' };

  let folders: SharedStateWorkspaces;

  beforeAll(() => {
    folders = createSharedStateWorkspaces('rel-svc');
    ({ workspace, fresh } = folders);
    run = {
      config: workspace.config,
      paths: workspace.paths,
      terraform: new Terraform(new TerraformRunner({ binary: binary!, env: workspace.env })),
      writeStack: workspace.writer(() => shape),
      progress: () => undefined,
    };
    process.env.GITHUB_ACTIONS = 'true';
    process.env.GITHUB_ACTOR = 'octocat';
    process.env.GITHUB_RUN_ID = '42';
    process.env.GITHUB_SERVER_URL = 'https://github.com';
    process.env.GITHUB_REPOSITORY = 'acme/iris';
  });
  afterAll(() => {
    for (const name of [
      'GITHUB_ACTIONS',
      'GITHUB_ACTOR',
      'GITHUB_RUN_ID',
      'GITHUB_SERVER_URL',
      'GITHUB_REPOSITORY',
    ])
      delete process.env[name];
    folders?.remove();
  });

  const read = (from: Workspace) =>
    readReleases(from.config, from.paths, { binary: binary!, env: { ...from.env, ...env } });

  it('GIVEN a first apply WHEN it succeeds THEN release 1 records the digest, the config digest and the CI run', async () => {
    const applied = await applyDeployment(run, approveAll);

    expect(applied.released).toBe(true);
    expect(applied.release).toMatchObject({
      number: 1,
      kind: 'apply',
      image_repository: 'registry.example.com/demo',
      image_digest: IMAGE_A.split('@')[1],
      config_digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      by: 'github:octocat',
      run_url: 'https://github.com/acme/iris/actions/runs/42',
      rollback_to: null,
    });
    expect(applied.outputs.bentoctl_releases).toBeUndefined();
    expect(await read(workspace)).toEqual([applied.release]);
  });

  it('GIVEN another digest WHEN applied THEN release 2 is added and a re-plan has no changes', async () => {
    shape = { ...shape, image: IMAGE_B };
    const applied = await applyDeployment(run, approveAll);
    const replanned = await planDeployment(run);

    expect(applied.release).toMatchObject({ number: 2, image_digest: IMAGE_B.split('@')[1] });
    expect(replanned.summary.hasChanges).toBe(false);
    expect(replanned.releases?.added).toBeUndefined();
    expect((await read(workspace)).map((release) => release.number)).toEqual([1, 2]);
  });

  it('GIVEN an apply that fails WHEN a resource cannot be created THEN no release is recorded', async () => {
    shape = { ...shape, image: IMAGE_C, failOnApply: true };

    await expect(applyDeployment(run, approveAll)).rejects.toMatchObject({
      code: 'TERRAFORM_FAILED',
    });
    expect((await read(workspace)).map((release) => release.image_digest)).toEqual([
      IMAGE_A.split('@')[1],
      IMAGE_B.split('@')[1],
    ]);
  });

  it('GIVEN a fresh folder with only the config WHEN the releases are read THEN it sees the same history', async () => {
    const here = await read(workspace);
    const there = await read(fresh);

    expect(there).toEqual(here);
    expect(there).toHaveLength(2);
  });

  it('GIVEN the history WHEN rolled back THEN the earlier digest is applied and recorded as a rollback', async () => {
    const history = await read(fresh);
    const target = chooseRollback('rel-svc', history);
    expect(target.number).toBe(1);
    shape = { ...shape, image: releaseImage(target), failOnApply: false };

    const applied = await applyDeployment(run, approveAll, { rollbackTo: target });

    expect(applied.release).toMatchObject({
      number: 3,
      kind: 'rollback',
      image_digest: IMAGE_A.split('@')[1],
      rollback_to: 1,
      rollback_of: 2,
    });
    const state = JSON.parse(readFileSync(folders.statePath, 'utf8')) as {
      resources: {
        name: string;
        instances: { attributes: { input: { value: { image?: string } } } }[];
      }[];
    };
    const service = state.resources.find((resource) => resource.name === 'service');
    expect(service?.instances[0]?.attributes.input.value.image).toBe(IMAGE_A);
    expect((await read(fresh)).map((release) => [release.number, release.kind])).toEqual([
      [1, 'apply'],
      [2, 'apply'],
      [3, 'rollback'],
    ]);
  });

  it('GIVEN --to naming no release, or the current one THEN rollback refuses, saying why', async () => {
    const history = await read(fresh);

    expect(() => chooseRollback('rel-svc', history, 9)).toThrow(
      /release 9 is not in its history, which holds 1, 2, 3/,
    );
    expect(() => chooseRollback('rel-svc', history, 3)).toThrow(/release 3 is the current release/);
    expect(() => chooseRollback('rel-svc', [])).toThrow(/records no release yet/);
  });
});
