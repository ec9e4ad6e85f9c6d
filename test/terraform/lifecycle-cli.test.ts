/**
 * terminate / restore / delete as CI runs them: the built CLI, real terraform on a
 * terraform_data stack (--no-generate) whose local state is shared with a fresh folder holding
 * only the config, and a local HTTP server standing in for the service. The lifecycle lives in
 * the state, so the fresh folder sees it, and a plain apply there refuses to bring a terminated
 * deployment back.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTarget } from '../../src/targets/registry.js';
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
const earlier = `123456789012.dkr.ecr.us-east-1.amazonaws.com/demo@sha256:${'c'.repeat(64)}`;

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
    // Release 1 runs an earlier image, so that a rollback has somewhere to go.
    workspace.writeBuildRecord(earlier, 'bento-c');
    workspace.writeStack({ ...DEFAULT_SHAPE, image: earlier, endpoint });
    const first = await cli(workspace, 'apply', '--no-generate', '--auto-approve', '--no-wait');
    expect(first.status, first.stderr).toBe(0);
    workspace.writeBuildRecord(image, 'bento-d');
    workspace.writeStack({ ...DEFAULT_SHAPE, image, endpoint });
    const applied = await cli(workspace, 'apply', '--no-generate', '--auto-approve');
    expect(applied.status, applied.stderr).toBe(0);
  });
  afterAll(async () => {
    await service?.close();
    folders?.remove();
  });

  it('GIVEN a running deployment WHEN plan --terminate --markdown runs THEN the PR comment says it terminates, in the target words, and nothing changes', async () => {
    const file = join(folders.stateDir, 'terminate.md');
    const planned = await cli(
      workspace,
      'plan',
      '--terminate',
      '--no-generate',
      '--markdown',
      file,
    );

    expect(planned.status, planned.stderr).toBe(0);
    const comment = readFileSync(file, 'utf8');
    expect(comment).toContain(
      `> [!IMPORTANT]\n> **Lifecycle:** Terminates life-cli at release 2: ${getTarget('aws-ecs').lifecycle?.terminated}. The repository, images, release history and config stay; a later plain apply refuses until \`bentoctl restore -f deployment_config.yaml\`.`,
    );
    expect(comment).toContain('terraform_data.bentoctl_lifecycle');
    expect(planned.stdout).toMatch(/^Lifecycle: Terminates life-cli at release 2: /m);
    const status = await cli(fresh, 'status', '--no-live', '--json');
    expect((JSON.parse(status.stdout) as { lifecycle: string }).lifecycle).toBe('running');
    const plain = await cli(workspace, 'plan', '--no-generate', '--markdown', file);
    expect(plain.status, plain.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).not.toContain('Lifecycle:');
    const saved = await cli(
      workspace,
      'plan',
      '--terminate',
      '--out',
      join(folders.stateDir, 'saved'),
    );
    expect(saved.status).toBe(2);
    expect(saved.stderr).toContain('FLAG_CONFLICT');
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

  it.each([
    [
      'apply',
      ['apply', '--no-generate', '--auto-approve'],
      'a plain apply would bring it back unasked',
    ],
    ['plan', ['plan', '--no-generate'], 'its plan would bring it back unasked when applied'],
    ['rollback', ['rollback', '--auto-approve'], 'a rollback would bring it back unasked'],
    ['release promote', ['release', 'promote', '--auto-approve'], 'it serves no traffic to move'],
    ['release abort', ['release', 'abort', '--auto-approve'], 'it serves no traffic to move'],
  ])(
    'GIVEN a terminated deployment WHEN %s runs (a CI run elsewhere) THEN it refuses, naming itself and the restore of the config given',
    async (command, args, reason) => {
      // A CI runner generates the same stack in its own checkout.
      fresh.writeStack({ ...DEFAULT_SHAPE, image, endpoint });
      const result = await cli(fresh, ...args, '-f', 'deployment_config.yaml');
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toContain(
        `Error [DEPLOYMENT_TERMINATED]: \`bentoctl ${command}\` refused: deployment life-cli is terminated (since `,
      );
      expect(result.stderr).toContain(
        `, by github:octocat; its Terraform state says so), and ${reason}, so nothing was planned.`,
      );
      expect(result.stderr).toContain(
        `Run \`bentoctl restore -f deployment_config.yaml\` to bring it back at its recorded size and revision (then \`bentoctl ${command}\` as usual)`,
      );
      expect(result.stderr).not.toContain('terraform plan');
    },
  );

  it('GIVEN a terminated deployment WHEN release status runs THEN it shows the lifecycle and the restore, asking no revision', async () => {
    const result = await cli(fresh, 'release', 'status', '-f', './deployment_config.yaml');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^lifecycle {2}terminated \(since .*, by github:octocat\): nothing serves, so no revision was asked; `bentoctl restore -f \.\/deployment_config\.yaml` brings it back$/m,
    );
    const json = await cli(fresh, 'release', 'status', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ lifecycle: { state: 'terminated' } });
  });

  it('GIVEN a terminated deployment WHEN plan --restore --markdown runs THEN the PR comment says it restores it', async () => {
    const file = join(folders.stateDir, 'restore.md');
    const planned = await cli(workspace, 'plan', '--restore', '--no-generate', '--markdown', file);

    expect(planned.status, planned.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain(
      `> **Lifecycle:** Restores life-cli at release 2: ${getTarget('aws-ecs').lifecycle?.restored}.`,
    );
    const status = await cli(fresh, 'status', '--no-live', '--json');
    expect((JSON.parse(status.stdout) as { lifecycle: string }).lifecycle).toBe('terminated');
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
