/**
 * aws-ecs blue-green with the candidate's own URL, as CI runs it: the built CLI in a child
 * process, real terraform on a stand-in stack of built-in resources with the aws-ecs stack's
 * approval wiring (the `bentoctl_approval` variable rendered into the approval parameter) and its
 * two URLs: `endpoint` (the production listener) and `candidate_endpoint` (the test listener).
 * Two local HTTP servers stand in for them; ECS's part is the test's: the test listener answers
 * from the new tasks once ECS has shifted the test traffic, the production one once approved.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTerraformForTests } from './helpers/terraform-available.js';
import { assertCliBuilt } from '../helpers/run-cli.js';
import { approvalStandInStack } from './helpers/approval-stand-in-stack.js';
import { releaseCli } from './helpers/release-cli.js';
import { startStandIn, type StandInService } from './helpers/stand-in-service.js';
import {
  createSharedStateWorkspaces,
  writeStackJson,
  type SharedStateWorkspaces,
  type Workspace,
} from './helpers/workspace.js';

const binary = await findTerraformForTests();

const digest = (hex: string) => `sha256:${hex.repeat(64)}`;
const image = (hex: string) =>
  `123456789012.dkr.ecr.us-east-1.amazonaws.com/approval-url@${digest(hex)}`;
const revision = (hex: string) => `approval-url-${hex.repeat(12)}`;
const served = (hex: string) => ({ bentoVersion: `bento-${hex}`, digest: digest(hex) });

interface Status {
  phase: string | null;
  shares: {
    revision: string;
    percent: number;
    role: string;
    ownUrl: string | null;
    tag: string | null;
    url: string | null;
    health: { up: boolean; revision?: { bentoVersion?: string } } | null;
  }[];
}

describe.skipIf(binary === undefined)(
  'an aws-ecs blue-green candidate on its own URL (the test listener) from the CLI',
  () => {
    let folders: SharedStateWorkspaces;
    let statePath: string;
    let workspace: Workspace;
    let fresh: Workspace;
    let production: StandInService;
    let test: StandInService;
    /** What the production listener serves: the stable revision until the approval. */
    let productionHex = 'a';
    /** What the test listener serves; it moves to `shiftedHex` after `shiftAfter` requests. */
    let testHex = 'a';
    let shiftedHex = 'a';
    let shiftAfter = 0;
    let testRequests = 0;
    const { cli, status } = releaseCli<Status>();
    const deploy = (hex: string) => {
      workspace.writeBuildRecord(image(hex), `bento-${hex}`);
      writeStackJson(
        workspace,
        approvalStandInStack({
          statePath,
          image: image(hex),
          revision: revision(hex),
          endpoint: production.endpoint,
          candidateEndpoint: test.endpoint,
        }),
      );
    };
    /** ECS's next deployment: the test listener sends to the new tasks after `after` requests. */
    const shiftTestTraffic = (hex: string, after: number) => {
      shiftedHex = hex;
      shiftAfter = after;
      testRequests = 0;
    };
    const parameter = () => {
      const state = JSON.parse(readFileSync(statePath, 'utf8')) as {
        outputs: Record<string, { value: string }>;
      };
      return JSON.parse(state.outputs.approval_parameter?.value ?? 'null') as unknown;
    };

    beforeAll(async () => {
      assertCliBuilt();
      folders = createSharedStateWorkspaces('approval-url');
      ({ statePath, workspace, fresh } = folders);
      const config = [
        'api_version: v1',
        'name: approval-url',
        'bento: ./bento',
        'target: aws-ecs',
        'spec:',
        '  region: us-east-1',
        'release:',
        '  strategy: blue-green',
        'state:',
        '  backend: local',
        `  path: ${statePath}`,
        '',
      ].join('\n');
      for (const each of [workspace, fresh]) writeFileSync(each.configFile, config);
      workspace.writeStack({ image: image('a'), replicas: 1, revision: 'x', endpoint: '' });
      production = await startStandIn(() => served(productionHex));
      test = await startStandIn(() => {
        testRequests += 1;
        if (testRequests > shiftAfter) testHex = shiftedHex;
        return served(testHex);
      });
    });
    afterAll(async () => {
      await production?.close();
      await test?.close();
      folders?.remove();
    });

    it('GIVEN the first apply THEN its revision is approved and apply waits on the endpoint: no candidate waits on the test listener', async () => {
      deploy('a');
      const result = await cli(workspace, 'apply', '--no-generate', '--auto-approve');

      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain(`candidate_endpoint = "${test.endpoint}"`);
      expect(result.stdout).toContain(
        `${production.endpoint}/readyz is ready and serves bento bento-a`,
      );
      expect(result.stderr).not.toContain(`${test.endpoint}/readyz`);
      expect(result.stderr).not.toContain('waits for approval');
    });

    it('GIVEN a new revision WHEN applied THEN apply waits until the test listener answers from it, then says it waits for approval there', async () => {
      deploy('b');
      // The new tasks start, pass their checks, and only then does ECS shift the test traffic.
      shiftTestTraffic('b', 1);
      const result = await cli(workspace, 'apply', '--no-generate', '--auto-approve');

      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toContain(
        `Waiting up to 300 s for ${test.endpoint}/readyz to answer ready from`,
      );
      expect(result.stderr).toContain('  not yet: ');
      expect(result.stdout).toContain(`${test.endpoint}/readyz is ready and serves bento bento-b`);
      expect(result.stderr).toContain(
        `Revision ${revision('b')} of approval-url waits for approval and takes no production traffic; it answers alone on ${test.endpoint} for a smoke test. \`bentoctl release promote -f`,
      );
      expect(result.stderr).not.toContain(`${production.endpoint}/readyz`);
      // Not approved: ECS keeps the stable revision in production.
      expect(parameter()).toEqual({ approved: revision('a'), rejected: '' });
    });

    it('GIVEN a revision waiting WHEN status runs from a fresh folder THEN the candidate is asked on the test listener, named so (ECS has no tag), and the stable one on the endpoint', async () => {
      const shown = await status(fresh);
      const text = await cli(fresh, 'release', 'status');

      expect(shown.phase).toBe('waiting');
      expect(
        shown.shares.map((share) => [
          share.role,
          share.percent,
          share.url,
          share.health?.revision?.bentoVersion,
        ]),
      ).toEqual([
        ['stable', 100, production.endpoint, 'bento-a'],
        ['candidate', 0, test.endpoint, 'bento-b'],
      ]);
      expect(shown.shares.map((share) => [share.ownUrl, share.tag])).toEqual([
        [null, null],
        ['own URL: test listener port 8080', null],
      ]);
      expect(text.stdout).toContain(
        `${revision('b')} 0 % candidate (own URL: test listener port 8080): release 2 `,
      );
      expect(text.stdout).toContain(`${revision('a')} 100 % stable: release 1 `);
      expect(text.stdout).not.toContain('tag');
    });

    it('GIVEN a revision waiting WHEN promote --after-bake runs THEN it checks the candidate on the test listener, approves it and waits until the endpoint serves it', async () => {
      // What ECS does once its hook reads the approval: the new tasks take production traffic.
      productionHex = 'b';
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
      const settled = JSON.parse(result.stdout) as {
        outcome: string;
        health: { url: string; healthy: boolean; checked: boolean; readiness: string };
        ready: { url: string; revision: { bentoVersion?: string } | null } | null;
      };
      expect(settled.outcome).toBe('promoted');
      expect(settled.health).toMatchObject({ url: test.endpoint, healthy: true, checked: true });
      expect(settled.health.readiness).toContain('ready, serves');
      expect(settled.ready?.url).toBe(`${production.endpoint}/readyz`);
      expect(settled.ready?.revision?.bentoVersion).toBe('bento-b');
      expect(parameter()).toEqual({ approved: revision('b'), rejected: '' });
      // Settled: no candidate waits, so the promoted revision is asked on the endpoint, and
      // nothing is said of a URL of its own (the split still marks it as the tagged entry).
      const shown = await status(fresh);
      expect(shown.phase).toBe('settled');
      expect(shown.shares.map((share) => [share.role, share.url, share.ownUrl, share.tag])).toEqual(
        [['stable', production.endpoint, null, null]],
      );
    });

    it('GIVEN a candidate aborted THEN status gives it no URL: ECS rolled it back, and the test listener answers from the stable revision again', async () => {
      deploy('c');
      shiftTestTraffic('c', 0);
      const started = await cli(workspace, 'apply', '--no-generate', '--auto-approve');
      expect(started.status, started.stderr).toBe(0);
      // What abort generates (the stable release's image), and what ECS does at the rejection.
      deploy('b');
      shiftTestTraffic('b', 0);
      const aborted = await cli(workspace, 'release', 'abort', '--no-generate', '--auto-approve');
      expect(aborted.status, aborted.stderr).toBe(0);

      const shown = await status(fresh);
      expect(shown.phase).toBe('aborted');
      expect(shown.shares.map((share) => [share.role, share.url, share.tag, share.health])).toEqual(
        [
          ['stable', production.endpoint, null, expect.objectContaining({ up: true })],
          ['candidate', null, null, null],
        ],
      );
    });
  },
);
