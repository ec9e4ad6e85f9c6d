/**
 * aws-ecs blue-green releases as CI runs them: the built CLI in a child process, real terraform
 * on a stand-in stack of built-in resources that takes the approval as the `bentoctl_approval`
 * variable and renders the approval parameter's value from it (as the aws-ecs stack's SSM
 * parameter does), a local-path state shared with a fresh folder, and a local HTTP server for
 * the endpoint. ECS's part (the hook reading the parameter, the shift) is the stand-in's: the
 * test moves what the endpoint serves once the approval is applied. The stand-in declares no
 * `candidate_endpoint`, as a stack generated before aws-ecs had its test listener: the candidate
 * on its own URL is release-approval-candidate-cli.test.ts.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTerraformForTests } from './helpers/terraform-available.js';
import { assertCliBuilt } from '../helpers/run-cli.js';
import { approvalStandInStack } from './helpers/approval-stand-in-stack.js';
import { releaseCli } from './helpers/release-cli.js';
import {
  createSharedStateWorkspaces,
  writeStackJson,
  type SharedStateWorkspaces,
  type Workspace,
} from './helpers/workspace.js';

const binary = await findTerraformForTests();

const digest = (hex: string) => `sha256:${hex.repeat(64)}`;
const image = (hex: string) =>
  `123456789012.dkr.ecr.us-east-1.amazonaws.com/approval-cli@${digest(hex)}`;
const revision = (hex: string) => `approval-cli-${hex.repeat(12)}`;

interface Status {
  movedBy: string;
  phase: string | null;
  shares: { revision: string; percent: number; role: string; tag: string | null }[];
}

describe.skipIf(binary === undefined)(
  'bentoctl release promote and abort of an aws-ecs blue-green release from the CLI (a stack without candidate_endpoint)',
  () => {
    let folders: SharedStateWorkspaces;
    let stateDir: string;
    let statePath: string;
    let workspace: Workspace;
    let fresh: Workspace;
    let server: Server;
    let endpoint: string;
    /** What the endpoint serves: ECS keeps the stable revision until the approval. */
    let servingHex = 'a';
    const { cli, status, expectNoChanges } = releaseCli<Status>();
    /** The stack generate would write for the revision of image `hex`. */
    const deploy = (hex: string) => {
      workspace.writeBuildRecord(image(hex), `bento-${hex}`);
      writeStackJson(
        workspace,
        approvalStandInStack({ statePath, image: image(hex), revision: revision(hex), endpoint }),
      );
    };
    const tfvars = () =>
      JSON.parse(
        readFileSync(join(workspace.paths.stack, 'bentoctl-approval.auto.tfvars.json'), 'utf8'),
      ) as { bentoctl_approval: unknown };
    /** The value terraform gave the approval parameter, as the hook would read it. */
    const parameter = () => {
      const state = JSON.parse(readFileSync(statePath, 'utf8')) as {
        outputs: Record<string, { value: string }>;
      };
      return JSON.parse(state.outputs.approval_parameter?.value ?? 'null') as unknown;
    };

    beforeAll(async () => {
      assertCliBuilt();
      folders = createSharedStateWorkspaces('approval-cli');
      ({ stateDir, statePath, workspace, fresh } = folders);
      const config = [
        'api_version: v1',
        'name: approval-cli',
        'bento: ./bento',
        'target: aws-ecs',
        'spec:',
        '  region: us-east-1',
        'release:',
        '  strategy: blue-green',
        '  bake_minutes: 10',
        'state:',
        '  backend: local',
        `  path: ${statePath}`,
        '',
      ].join('\n');
      for (const each of [workspace, fresh]) writeFileSync(each.configFile, config);
      workspace.writeStack({ image: image('a'), replicas: 1, revision: 'x', endpoint: '' });
      // A real bento, for the one step that generates the aws-ecs stack.
      rmSync(join(workspace.dir, 'bento'), { recursive: true, force: true });
      cpSync(
        join(import.meta.dirname, '..', '..', 'examples', 'iris'),
        join(workspace.dir, 'bento'),
        {
          recursive: true,
        },
      );
      server = createServer((_request, response) => {
        response.setHeader('bentoctl-bento-version', `bento-${servingHex}`);
        response.setHeader('bentoctl-image-digest', digest(servingHex));
        response.setHeader('content-type', 'application/json');
        response.end('{"status":"ready"}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      folders?.remove();
    });

    it('GIVEN the first apply under blue-green THEN its revision is approved and apply waits until it serves', async () => {
      deploy('a');
      const result = await cli(workspace, 'apply', '--no-generate', '--auto-approve');

      expect(result.status, result.stderr).toBe(0);
      expect(tfvars()).toEqual({ bentoctl_approval: { approved: revision('a'), rejected: '' } });
      expect(parameter()).toEqual({ approved: revision('a'), rejected: '' });
      expect(result.stdout).toContain(`${endpoint}/readyz is ready and serves bento bento-a`);
      expect(await status(fresh)).toMatchObject({ movedBy: 'bentoctl', phase: 'settled' });
    });

    it('GIVEN a new revision WHEN applied THEN it waits for approval: the parameter keeps the stable one, and apply does not wait on the endpoint', async () => {
      deploy('b');
      const result = await cli(workspace, 'apply', '--no-generate', '--auto-approve');

      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toContain(
        `After this plan: ${revision('b')} waits for approval with no traffic; ${revision('a')} keeps all of it`,
      );
      expect(result.stderr).toContain(
        `Revision ${revision('b')} of approval-cli waits for approval and takes no traffic; the stack has no candidate_endpoint output to wait on (regenerate it: \`bentoctl apply\` without --no-generate or --plan). \`bentoctl release promote -f`,
      );
      expect(result.stderr).not.toContain('Waiting up to');
      expect(parameter()).toEqual({ approved: revision('a'), rejected: '' });
      await expectNoChanges(workspace);
    });

    it('GIVEN a revision waiting WHEN status runs from a fresh folder THEN it says it waits for approval, with no traffic and no tag', async () => {
      const shown = await status(fresh);
      const text = await cli(fresh, 'release', 'status');

      expect(shown.phase).toBe('waiting');
      expect(
        shown.shares.map((share) => [share.revision, share.percent, share.role, share.tag]),
      ).toEqual([
        [revision('a'), 100, 'stable', null],
        [revision('b'), 0, 'candidate', null],
      ]);
      expect(text.stdout).toMatch(
        /^phase {6}waiting for approval: the candidate gets no traffic until `bentoctl release promote` \(or `release abort`\)$/m,
      );
      const deployment = await cli(fresh, 'status', '--no-live');
      expect(deployment.status, deployment.stderr).toBe(0);
      expect(deployment.stdout).toMatch(
        new RegExp(
          `^traffic +waiting for approval \\(blue-green\\): 100 % ${revision('a')} \\(release 1\\), 0 % ${revision('b')} \\(release 2\\)$`,
          'm',
        ),
      );
    });

    it('GIVEN a revision waiting WHEN promoted THEN the parameter approves it and promote waits until the endpoint serves it', async () => {
      // What ECS does once its hook reads the approval: the new tasks take the traffic.
      servingHex = 'b';
      const result = await cli(workspace, 'release', 'promote', '--auto-approve', '--no-generate');

      expect(result.status, result.stderr).toBe(0);
      expect(parameter()).toEqual({ approved: revision('b'), rejected: '' });
      expect(result.stdout).toContain(
        `Promoted approval-cli: revision ${revision('b')} (release 2) takes all traffic.`,
      );
      expect(result.stdout).toContain(`${endpoint}/readyz is ready and serves bento bento-b`);
      expect((await status(fresh)).phase).toBe('settled');
      await expectNoChanges(workspace);
    });

    it('GIVEN a new revision WHEN planned with --markdown THEN the PR comment says it waits for approval', async () => {
      deploy('c');
      const file = join(stateDir, 'plan.md');
      const result = await cli(workspace, 'plan', '--no-generate', '--markdown', file);

      expect(result.status, result.stderr).toBe(0);
      expect(readFileSync(file, 'utf8')).toContain(
        `**Release:** blue-green: 0 % to bento bento-c until it is healthy and approved, then 100 %. After this apply: ${revision('c')} waits for approval with no traffic; ${revision('b')} keeps all of it; then \`bentoctl release promote\` (or \`release abort\`).`,
      );
    });

    it('GIVEN a revision waiting WHEN aborted THEN the stack of the stable revision is applied, the parameter rejects the candidate, and a re-plan changes nothing', async () => {
      const started = await cli(workspace, 'apply', '--no-generate', '--auto-approve');
      expect(started.status, started.stderr).toBe(0);
      // Left as it is, the candidate's stack is refused: ECS goes back to the stable revision.
      const refused = await cli(workspace, 'release', 'abort', '--no-generate', '--auto-approve');
      expect(refused.status).toBe(2);
      expect(refused.stderr).toContain(
        `Error [RELEASE_CANDIDATE_CHANGED]: Cannot abort the release of approval-cli: the stable revision it goes back to is revision ${revision('b')}, but the config and image now make revision ${revision('c')}.`,
      );

      // What abort generates: the stack of the stable release's image.
      deploy('b');
      const result = await cli(workspace, 'release', 'abort', '--no-generate', '--auto-approve');

      expect(result.status, result.stderr).toBe(0);
      expect(tfvars()).toEqual({
        bentoctl_approval: { approved: revision('b'), rejected: revision('c') },
      });
      expect(parameter()).toEqual({ approved: revision('b'), rejected: revision('c') });
      expect(result.stdout).toContain(
        `Aborted the candidate of approval-cli: revision ${revision('b')} (release 2) takes all traffic again.`,
      );
      expect(result.stdout).toContain(`${endpoint}/readyz is ready and serves bento bento-b`);
      expect((await status(fresh)).phase).toBe('aborted');
      await expectNoChanges(workspace);
    });

    it('GIVEN an aborted revision WHEN applied again THEN it waits for approval again and is no longer rejected', async () => {
      deploy('c');
      const result = await cli(workspace, 'apply', '--no-generate', '--auto-approve');

      expect(result.status, result.stderr).toBe(0);
      expect(parameter()).toEqual({ approved: revision('b'), rejected: '' });
      expect(result.stderr).toContain(
        `Revision ${revision('c')} of approval-cli waits for approval and takes no traffic`,
      );
      expect((await status(fresh)).phase).toBe('waiting');
    });

    it('GIVEN a revision waiting WHEN abort generates the stack THEN it pins the stable release image, not the candidate one', async () => {
      // The real aws-ecs stack: generated, then terraform init stops at the aws provider, which
      // this machine cannot download (exit 3), before anything is planned.
      const result = await cli(workspace, 'release', 'abort', '--auto-approve');
      const generated = readFileSync(join(workspace.paths.stack, 'main.tf.json'), 'utf8');

      expect(result.stderr).toContain(
        `Aborting the candidate of approval-cli: all traffic back to revision ${revision('b')} (release 2)`,
      );
      expect(generated).toContain(digest('b'));
      expect(generated).not.toContain(digest('c'));
      expect(result.status).toBe(3);
      expect(result.stderr).not.toContain('terraform plan');

      deploy('b');
      const aborted = await cli(workspace, 'release', 'abort', '--no-generate', '--auto-approve');
      expect(aborted.status, aborted.stderr).toBe(0);
    });

    it('GIVEN nothing waiting WHEN promoted THEN it exits 2 saying so, before any plan', async () => {
      const result = await cli(fresh, 'release', 'promote', '--no-generate', '--auto-approve');

      expect(result.status).toBe(2);
      expect(result.stderr).toContain('Error [RELEASE_NOT_IN_PROGRESS]');
      expect(result.stderr).not.toContain('terraform plan');
    });

    it('GIVEN a revision waiting WHEN promote --after-bake runs (the CI step) THEN it approves it, the platform having checked it, and waits until the endpoint serves it', async () => {
      deploy('d');
      const started = await cli(workspace, 'apply', '--no-generate', '--auto-approve');
      expect(started.status, started.stderr).toBe(0);
      // What ECS does once its hook reads the approval: the new tasks take the traffic.
      servingHex = 'd';
      const result = await cli(
        workspace,
        'release',
        'promote',
        '--after-bake',
        '--auto-approve',
        '--no-generate',
        '--json',
      );

      expect(result.status, result.stderr).toBe(0);
      expect(parameter()).toEqual({ approved: revision('d'), rejected: '' });
      const settled = JSON.parse(result.stdout) as {
        outcome: string;
        health: { healthy: boolean; checked: boolean; readiness: string; problems: string[] };
        ready: { revision: { bentoVersion?: string } | null } | null;
      };
      expect(settled.outcome).toBe('promoted');
      expect(settled.health).toMatchObject({ healthy: true, checked: false, problems: [] });
      expect(settled.health.readiness).toBe(
        "not asked: aws-ecs checks the new tasks' health before it asks for the approval, and its alarms roll them back after the shift",
      );
      expect(settled.ready?.revision?.bentoVersion).toBe('bento-d');
      expect((await status(fresh)).phase).toBe('settled');
    });
  },
);
