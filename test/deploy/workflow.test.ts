/**
 * The terraform workflow against the real binary on a stack of built-in `terraform_data`
 * resources: plan, apply, outputs, an update, a replacement, destroy, lock contention and a
 * failing apply. Steps share one workspace and run in order, as a deployment's life does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BentoctlError } from '../../src/errors/index.js';
import { readApplyRecord } from '../../src/deploy/deployment-records.js';
import type { TerraformBinary } from '../../src/terraform/binary.js';
import { renderPlanMarkdown } from '../../src/terraform/render-plan-markdown.js';
import { renderPlanText } from '../../src/terraform/render-plan-text.js';
import { TerraformRunner } from '../../src/terraform/runner.js';
import { Terraform } from '../../src/terraform/terraform.js';
import { applyDeployment } from '../../src/deploy/apply-deployment.js';
import type { Approval, DeploymentRun } from '../../src/deploy/deployment-run.js';
import { destroyDeployment } from '../../src/deploy/destroy-deployment.js';
import { planDeployment } from '../../src/deploy/plan-deployment.js';
import { findTerraformForTests } from '../terraform/helpers/terraform-available.js';
import {
  createWorkspace,
  DEFAULT_SHAPE,
  type StackShape,
  type Workspace,
} from '../terraform/helpers/workspace.js';

const binary: TerraformBinary | undefined = await findTerraformForTests();

const approveAll: Approval = { review: () => undefined, confirm: async () => true };

describe.skipIf(binary === undefined)('terraform workflow on a terraform_data stack', () => {
  let workspace: Workspace;
  let shape: StackShape = DEFAULT_SHAPE;
  let run: DeploymentRun;

  beforeAll(() => {
    workspace = createWorkspace();
    run = {
      config: workspace.config,
      paths: workspace.paths,
      terraform: new Terraform(new TerraformRunner({ binary: binary!, env: workspace.env })),
      writeStack: workspace.writer(() => shape),
      progress: () => undefined,
    };
  });
  afterAll(() => workspace.remove());

  it('GIVEN a new deployment WHEN planned THEN every resource is to be created and the plan is saved', async () => {
    const planned = await planDeployment(run);

    expect(existsSync(planned.planFile)).toBe(true);
    expect(planned.summary.counts).toMatchObject({ create: 3, update: 0, replace: 0, delete: 0 });
    expect(
      planned.summary.resources.map((resource) => [resource.address, resource.action]),
    ).toEqual([
      ['terraform_data.bentoctl_release_history', 'create'],
      ['terraform_data.revision', 'create'],
      ['terraform_data.service', 'create'],
    ]);
    expect(planned.summary.outputs.find((output) => output.name === 'api_token')?.after).toBe(
      '(sensitive)',
    );
    expect(existsSync(workspace.paths.lock)).toBe(false);
  });

  it('GIVEN the plan WHEN applied THEN the outputs are read back and the apply is recorded', async () => {
    const applied = await applyDeployment(run, approveAll);

    expect(applied.applied).toBe(true);
    expect(applied.outputs.endpoint).toEqual({ value: DEFAULT_SHAPE.endpoint, sensitive: false });
    expect(applied.outputs.api_token?.sensitive).toBe(true);
    const record = readApplyRecord(workspace.paths);
    expect(record).toMatchObject({ deployment: workspace.name, target: 'aws-ecs' });
    expect(record?.outputs).toEqual({
      api_token: '(sensitive)',
      endpoint: DEFAULT_SHAPE.endpoint,
      image: DEFAULT_SHAPE.image,
    });
    expect(existsSync(workspace.paths.lock)).toBe(false);
  });

  it('GIVEN nothing changed WHEN planned again THEN the plan has no changes', async () => {
    const planned = await planDeployment(run);

    expect(planned.summary.hasChanges).toBe(false);
    expect(planned.summary.counts['no-op']).toBe(3);
  });

  it('GIVEN a new replica count WHEN planned THEN the service is updated in place, attribute by attribute', async () => {
    shape = { ...shape, replicas: 2 };
    const { summary } = await planDeployment(run);

    expect(summary.counts).toMatchObject({ create: 0, update: 1, replace: 0, delete: 0 });
    const service = summary.resources.find(
      (resource) => resource.address === 'terraform_data.service',
    );
    expect(service?.action).toBe('update');
    expect(service?.changes).toContainEqual({
      path: 'input.replicas',
      before: '1',
      after: '2',
      forcesReplacement: false,
    });
    expect(service?.changes).toContainEqual(
      expect.objectContaining({ path: 'output', after: '(known after apply)' }),
    );
    // The sensitive token did not change, so it is not listed at all.
    expect(service?.changes.some((change) => change.path === 'input.token')).toBe(false);
    await applyDeployment(run, approveAll);
  });

  it('GIVEN a new revision WHEN planned THEN the revision is replaced and the secret never printed', async () => {
    shape = { ...shape, revision: 'r2' };
    const { summary } = await planDeployment(run);

    expect(summary.counts).toMatchObject({ update: 1, replace: 1 });
    expect(summary.destructive).toBe(true);
    const revision = summary.resources.find(
      (resource) => resource.address === 'terraform_data.revision',
    );
    expect(revision?.action).toBe('replace');
    expect(revision?.changes).toContainEqual({
      path: 'triggers_replace[0]',
      before: '"r1"',
      after: '"r2"',
      forcesReplacement: true,
    });
    const service = summary.resources.find(
      (resource) => resource.address === 'terraform_data.service',
    );
    expect(service?.changes).toContainEqual({
      path: 'input.token',
      before: '(sensitive)',
      after: '(sensitive)',
      forcesReplacement: false,
    });
    const rendered = [
      renderPlanText(summary, 'plan'),
      renderPlanMarkdown(summary, { deployment: workspace.name, target: 'aws-ecs' }),
      JSON.stringify(summary),
    ].join('\n');
    expect(rendered).not.toContain('token-r1');
    expect(rendered).not.toContain('token-r2');
    expect(rendered).not.toContain('secret-r');
    expect(rendered).toContain('[!WARNING]');

    const applied = await applyDeployment(run, approveAll);
    expect(applied.applied).toBe(true);
  });

  it('GIVEN an apply in progress WHEN a second apply starts on the same deployment THEN it is refused', async () => {
    shape = { ...shape, replicas: 3 };
    let releaseFirst: (approved: boolean) => void = () => undefined;
    let reachedConfirm: () => void = () => undefined;
    const confirming = new Promise<void>((resolve) => (reachedConfirm = resolve));
    const first = applyDeployment(run, {
      review: () => undefined,
      confirm: () => {
        reachedConfirm();
        return new Promise<boolean>((resolve) => (releaseFirst = resolve));
      },
    });
    await confirming;

    const second = applyDeployment(run, approveAll);

    await expect(second).rejects.toMatchObject({ code: 'DEPLOYMENT_LOCKED', kind: 'usage' });
    await expect(second).rejects.toThrow(/bentoctl apply \(pid \d+/);
    releaseFirst(true);
    await expect(first).resolves.toMatchObject({ applied: true });
    expect(existsSync(workspace.paths.lock)).toBe(false);
  });

  it('GIVEN a declined confirmation WHEN applying THEN nothing is applied and the lock is released', async () => {
    shape = { ...shape, replicas: 4 };
    await expect(
      applyDeployment(run, { review: () => undefined, confirm: async () => false }),
    ).rejects.toMatchObject({
      code: 'CONFIRMATION_DECLINED',
    });
    expect(existsSync(workspace.paths.lock)).toBe(false);
    expect((await planDeployment(run)).summary.counts.update).toBe(1);
  });

  it('GIVEN a resource whose creation fails WHEN applied THEN it fails naming terraform apply and its error', async () => {
    shape = { ...shape, failOnApply: true };
    const failure = await applyDeployment(run, approveAll).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(BentoctlError);
    expect(failure).toMatchObject({ code: 'TERRAFORM_FAILED', kind: 'external', exitCode: 3 });
    expect((failure as Error).message).toMatch(/^terraform apply failed \(exit code 1 in /);
    expect((failure as Error).message).toContain('migration failed: schema locked');
    expect(existsSync(workspace.paths.lock)).toBe(false);
  });

  it('GIVEN the deployment WHEN destroyed THEN every resource is deleted and the record removed', async () => {
    shape = { ...shape, failOnApply: false };
    const reviewed: string[] = [];
    const destroyed = await destroyDeployment(run, {
      review: (summary) => reviewed.push(renderPlanText(summary, 'destroy')),
      confirm: async () => true,
    });

    expect(destroyed.destroyed).toBe(true);
    expect(destroyed.summary.counts.delete).toBeGreaterThanOrEqual(2);
    expect(destroyed.summary.counts.create).toBe(0);
    expect(reviewed[0]).toContain('terraform_data.service');
    expect(readApplyRecord(workspace.paths)).toBeUndefined();
    const state = JSON.parse(
      readFileSync(`${workspace.paths.stack}/terraform.tfstate`, 'utf8'),
    ) as { resources: unknown[] };
    expect(state.resources).toEqual([]);
  });
});
