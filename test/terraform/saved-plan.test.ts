/**
 * `plan --out <dir>` then `apply --plan <dir>`, as the main-branch CI template runs them in two
 * jobs: the plan an approver was shown is the one applied, even when the stack has changed
 * since; a plan made stale by another apply is refused by terraform and named by bentoctl.
 * The built CLI, real terraform, terraform_data stacks (--no-generate).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { savedPlanApplyError } from '../../src/deploy/saved-plan.js';
import { errors } from '../../src/errors/index.js';
import { findTerraformForTests } from './helpers/terraform-available.js';
import { assertCliBuilt, runCli } from '../helpers/run-cli.js';
import { createWorkspace, DEFAULT_SHAPE, type Workspace } from './helpers/workspace.js';

const binary = await findTerraformForTests();

interface State {
  readonly resources: {
    readonly name: string;
    readonly instances: { readonly attributes: { readonly input: { readonly value: unknown } } }[];
  }[];
}

describe.skipIf(binary === undefined)('a saved plan applied in a later job', () => {
  let workspace: Workspace;
  const cli = (...args: string[]) =>
    runCli(args, { cwd: workspace.dir, env: { ...workspace.env, CI: 'true' } });
  const appliedInput = (name: string): unknown => {
    const state = JSON.parse(
      readFileSync(join(workspace.paths.stack, 'terraform.tfstate'), 'utf8'),
    ) as State;
    return state.resources.find((resource) => resource.name === name)?.instances[0]?.attributes
      .input.value;
  };

  beforeAll(() => {
    assertCliBuilt();
    workspace = createWorkspace('saved-svc');
  });
  afterAll(() => workspace?.remove());

  it('GIVEN plan --out WHEN the stack changes before apply --plan THEN exactly the saved plan is applied', async () => {
    workspace.writeStack({ ...DEFAULT_SHAPE, replicas: 1 });
    const planned = await cli('plan', '--no-generate', '--out', 'reviewed', '--json');
    expect(planned.status, planned.stderr).toBe(0);
    const saved = join(workspace.dir, 'reviewed');
    expect((JSON.parse(planned.stdout) as { savedTo: string }).savedTo).toBe(saved);
    for (const file of ['bentoctl-plan.json', 'bentoctl.tfplan', 'main.tf.json'])
      expect(existsSync(join(saved, file)), file).toBe(true);

    // What nobody reviewed: a later commit changes the stack in the deployment folder.
    workspace.writeStack({ ...DEFAULT_SHAPE, replicas: 5 });
    const applied = await cli('apply', '--plan', 'reviewed', '--auto-approve', '--no-wait');

    expect(applied.status, applied.stderr).toBe(0);
    expect(applied.stderr).toContain(`Using the plan saved in ${saved}`);
    // The stack's two resources and the release history bentoctl records with them.
    expect(applied.stdout).toContain('3 to create');
    expect(appliedInput('service')).toMatchObject({ replicas: 1 });
    expect(readFileSync(join(workspace.paths.stack, 'main.tf.json'), 'utf8')).toContain(
      '"replicas": 1',
    );
  });

  it('GIVEN a stack that reads a file in assets/ WHEN applied from its saved plan in a job without it THEN the saved plan brought the file along', async () => {
    const stack = join(workspace.paths.stack, 'main.tf.json');
    workspace.writeStack({ ...DEFAULT_SHAPE, revision: 'with-asset' });
    const json = JSON.parse(readFileSync(stack, 'utf8')) as {
      resource: { terraform_data: Record<string, unknown> };
    };
    // As the aws-ecs Lambda reads its zip: at apply, from beside the stack.
    json.resource.terraform_data.hook = {
      input: '${filebase64sha256("${path.module}/assets/hook.zip")}',
    };
    writeFileSync(stack, JSON.stringify(json, null, 2));
    mkdirSync(join(workspace.paths.stack, 'assets'), { recursive: true });
    writeFileSync(join(workspace.paths.stack, 'assets', 'hook.zip'), 'zip bytes');
    const planned = await cli('plan', '--no-generate', '--out', 'with-asset');
    expect(planned.status, planned.stderr).toBe(0);
    expect(readFileSync(join(workspace.dir, 'with-asset', 'assets', 'hook.zip'), 'utf8')).toBe(
      'zip bytes',
    );

    // The apply job has the saved plan, not the plan job's stack folder.
    rmSync(join(workspace.paths.stack, 'assets'), { recursive: true, force: true });
    const applied = await cli('apply', '--plan', 'with-asset', '--auto-approve', '--no-wait');

    expect(applied.status, applied.stderr).toBe(0);
    expect(appliedInput('hook')).toBe(createHash('sha256').update('zip bytes').digest('base64'));
    expect(readFileSync(join(workspace.paths.stack, 'assets', 'hook.zip'), 'utf8')).toBe(
      'zip bytes',
    );
    rmSync(join(workspace.paths.stack, 'assets'), { recursive: true, force: true });
  });

  it('GIVEN a saved plan WHEN another apply changes the state first THEN apply --plan exits 3 with SAVED_PLAN_STALE and applies nothing', async () => {
    workspace.writeStack({ ...DEFAULT_SHAPE, revision: 'r2' });
    const planned = await cli('plan', '--no-generate', '--out', 'stale');
    expect(planned.status, planned.stderr).toBe(0);
    workspace.writeStack({ ...DEFAULT_SHAPE, revision: 'r3' });
    const other = await cli('apply', '--no-generate', '--auto-approve', '--no-wait');
    expect(other.status, other.stderr).toBe(0);

    const result = await cli('apply', '--plan', 'stale', '--auto-approve', '--no-wait');

    expect(result.status).toBe(3);
    expect(result.stderr).toContain('Error [SAVED_PLAN_STALE]');
    expect(result.stderr).toContain(`The plan in ${join(workspace.dir, 'stale')} is stale`);
    // Found by comparing the state's version, before the plan is shown or terraform applies.
    expect(result.stderr).not.toContain('terraform apply');
    expect(result.stdout).toBe('');
    expect(appliedInput('revision')).toBe('r3');
  });

  it('GIVEN a plan saved for one deployment WHEN applied with another config THEN exit 2 SAVED_PLAN_MISMATCH', async () => {
    writeFileSync(
      join(workspace.dir, 'other.yaml'),
      readFileSync(workspace.configFile, 'utf8').replace('name: saved-svc', 'name: other-svc'),
    );
    const result = await cli('apply', '-f', 'other.yaml', '--plan', 'reviewed', '--auto-approve');

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Error [SAVED_PLAN_MISMATCH]');
    expect(result.stderr).toContain(
      'is for saved-svc (aws-ecs), and the config given is for other-svc (aws-ecs)',
    );
  });

  it('GIVEN a folder that is not a saved plan WHEN applied THEN exit 2 SAVED_PLAN_INVALID', async () => {
    const result = await cli('apply', '--plan', 'nowhere', '--auto-approve');

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Error [SAVED_PLAN_INVALID]');
    expect(result.stderr).toContain('bentoctl-plan.json is missing');
  });
});

describe('savedPlanApplyError', () => {
  it("GIVEN terraform's own refusal of a stale plan THEN SAVED_PLAN_STALE; any other error unchanged", () => {
    const stale = errors.terraformFailed(
      'apply',
      'exit code 1 in /stack',
      '  | Error: Saved plan is stale\n  | The given plan file can no longer be applied because the state was changed',
    );
    expect(savedPlanApplyError(stale, 'reviewed')).toMatchObject({ code: 'SAVED_PLAN_STALE' });
    const other = errors.terraformFailed('apply', 'exit code 1 in /stack', '  | Error: quota');
    expect(savedPlanApplyError(other, 'reviewed')).toBe(other);
  });
});
