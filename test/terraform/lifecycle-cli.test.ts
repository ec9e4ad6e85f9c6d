/**
 * terminate / restore / delete as CI runs them: the built CLI, real terraform on a
 * terraform_data stack (--no-generate) whose local state is shared with a fresh folder holding
 * only the config, and a local HTTP server standing in for the service. The lifecycle lives in
 * the state, so the fresh folder sees it, and a plain apply there refuses to bring a terminated
 * deployment back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTerraformForTests } from './helpers/terraform-available.js';
import { assertCliBuilt, runCli } from '../helpers/run-cli.js';
import { startStandIn, type StandInService } from './helpers/stand-in-service.js';
import {
  createSharedStateWorkspaces,
  DEFAULT_SHAPE,
  type SharedStateWorkspaces,
  type Workspace,
} from './helpers/workspace.js';

const binary = await findTerraformForTests();
const digest = `sha256:${'d'.repeat(64)}`;
const image = `123456789012.dkr.ecr.us-east-1.amazonaws.com/demo@${digest}`;

describe.skipIf(binary === undefined)('bentoctl terminate, restore and delete', () => {
  let folders: SharedStateWorkspaces;
  let workspace: Workspace;
  let fresh: Workspace;
  let service: StandInService;
  let requests = 0;
  let endpoint: string;
  const cli = (from: Workspace, ...args: string[]) =>
    runCli(args, {
      cwd: from.dir,
      env: { ...from.env, CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_ACTOR: 'octocat' },
    });

  beforeAll(async () => {
    assertCliBuilt();
    folders = createSharedStateWorkspaces('life-cli');
    ({ workspace, fresh } = folders);
    service = await startStandIn(() => {
      requests += 1;
      return { bentoVersion: 'bento-d', digest };
    });
    endpoint = service.endpoint;
    workspace.writeBuildRecord(image, 'bento-d');
    workspace.writeStack({ ...DEFAULT_SHAPE, image, endpoint });
    const applied = await cli(workspace, 'apply', '--no-generate', '--auto-approve');
    expect(applied.status, applied.stderr).toBe(0);
  });
  afterAll(async () => {
    await service?.close();
    folders?.remove();
  });

  it('GIVEN a running deployment WHEN terminated THEN the state says so, also to a fresh folder', async () => {
    const terminated = await cli(workspace, 'terminate', '--no-generate', '--auto-approve');
    expect(terminated.status, terminated.stderr).toBe(0);
    expect(terminated.stdout).toContain('life-cli is terminated');
    expect(terminated.stdout).toContain('terraform_data.bentoctl_lifecycle');

    const status = await cli(fresh, 'status', '--no-live', '--json');
    const parsed = JSON.parse(status.stdout) as {
      lifecycle: string;
      lifecycleRecord: { by: string } | null;
    };
    expect(parsed.lifecycle).toBe('terminated');
    expect(parsed.lifecycleRecord?.by).toBe('github:octocat');
    const text = await cli(fresh, 'status', '--no-live');
    expect(text.stdout).toMatch(/^lifecycle\s+terminated \(since .*, by github:octocat\)$/m);
  });

  it('GIVEN a terminated deployment WHEN a plain apply or plan runs (a CI run elsewhere) THEN it refuses and names restore', async () => {
    // A CI runner generates the same stack in its own checkout.
    fresh.writeStack({ ...DEFAULT_SHAPE, image, endpoint });
    const applied = await cli(fresh, 'apply', '--no-generate', '--auto-approve');
    expect(applied.status, applied.stderr).toBe(2);
    expect(applied.stderr).toContain('DEPLOYMENT_TERMINATED');
    expect(applied.stderr).toContain('bentoctl restore -f <config>');
    const planned = await cli(workspace, 'plan', '--no-generate');
    expect(planned.status).toBe(2);
    expect(planned.stderr).toContain('DEPLOYMENT_TERMINATED');
  });

  it('GIVEN a terminated deployment WHEN restored THEN it waits until the recorded image serves, and apply works again', async () => {
    requests = 0;
    const restored = await cli(workspace, 'restore', '--no-generate', '--auto-approve');
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.stdout).toContain(`is ready and serves bento bento-d, image ${digest}`);
    expect(requests).toBeGreaterThan(0);

    const status = await cli(fresh, 'status', '--no-live', '--json');
    expect((JSON.parse(status.stdout) as { lifecycle: string }).lifecycle).toBe('running');
    const applied = await cli(workspace, 'apply', '--no-generate', '--auto-approve', '--no-wait');
    expect(applied.status, applied.stderr).toBe(0);
    const again = await cli(workspace, 'restore', '--no-generate', '--auto-approve');
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('DEPLOYMENT_NOT_TERMINATED');
  });

  it('GIVEN delete THEN it is destroy: the typed confirmation is required, then everything goes', async () => {
    const unconfirmed = await cli(workspace, 'delete');
    expect(unconfirmed.status).toBe(2);
    expect(unconfirmed.stderr).toContain('CONFIRMATION_REQUIRED');
    const deleted = await cli(workspace, 'delete', '--auto-approve');
    expect(deleted.status, deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain('Destroyed life-cli.');
  });
});
