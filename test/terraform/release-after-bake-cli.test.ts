/**
 * `bentoctl release promote --after-bake` as a CI step runs it: the built CLI in a child
 * process, real terraform on a stand-in stack that takes its traffic split as the
 * `bentoctl_traffic` variable (as the google-cloud-run stack does), a local-path state shared
 * with a fresh folder, and two local HTTP servers standing in for the endpoint and the
 * candidate's tagged URL, whose /metrics the test sets.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTerraformForTests } from './helpers/terraform-available.js';
import { assertCliBuilt, runCli, startCli } from '../helpers/run-cli.js';
import { releaseCli } from './helpers/release-cli.js';
import { trafficStandInStack } from './helpers/traffic-stand-in-stack.js';
import {
  createSharedStateWorkspaces,
  createWorkspace,
  DEFAULT_SHAPE,
  writeStackJson,
  type SharedStateWorkspaces,
  type Workspace,
} from './helpers/workspace.js';

const binary = await findTerraformForTests();

const digest = (hex: string) => `sha256:${hex.repeat(64)}`;
const image = (hex: string) => `us-central1-docker.pkg.dev/ml-project-123/demo/demo@${digest(hex)}`;
const revision = (hex: string) => `bake-cli-${hex.repeat(12)}`;

/** The runtime's request counters: `ok` 200s and `failed` 503s of the classify API. */
function metrics(ok: number, failed: number): string {
  return [
    '# HELP bentoctl_http_requests_total HTTP requests answered, by API and status code.',
    '# TYPE bentoctl_http_requests_total counter',
    `bentoctl_http_requests_total{api="classify",status="200"} ${ok}`,
    ...(failed > 0 ? [`bentoctl_http_requests_total{api="classify",status="503"} ${failed}`] : []),
    '',
  ].join('\n');
}

/** Answers /readyz as the revision `hex()` names, and /metrics with `exposition()`. */
function standIn(hex: () => string, exposition: () => string): Server {
  return createServer((request, response) => {
    if (request.url === '/metrics') {
      response.setHeader('content-type', 'text/plain; version=0.0.4');
      response.end(exposition());
      return;
    }
    response.setHeader('bentoctl-bento-version', `bento-${hex()}`);
    response.setHeader('bentoctl-image-digest', digest(hex()));
    response.setHeader('content-type', 'application/json');
    response.end('{"status":"ready"}');
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function cloudRunConfig(statePath: string, bakeMinutes: number): string {
  return [
    'api_version: v1',
    'name: bake-cli',
    'bento: ./bento',
    'target: google-cloud-run',
    'spec:',
    '  project: ml-project-123',
    'release:',
    '  strategy: canary',
    '  percent: 10',
    `  bake_minutes: ${bakeMinutes}`,
    'state:',
    '  backend: local',
    `  path: ${statePath}`,
    '',
  ].join('\n');
}

interface AfterBake {
  outcome: string;
  bakeWaitedSeconds: number;
  health: {
    healthy: boolean;
    checked: boolean;
    errorRate: { requests: number; errors: number; percent: number } | null;
  } | null;
  serving: { number: number } | null;
  ready: { revision: { imageDigest?: string } | null } | null;
}

describe.skipIf(binary === undefined)(
  'bentoctl release promote --after-bake from the CLI',
  { timeout: 120_000 },
  () => {
    let folders: SharedStateWorkspaces;
    let statePath: string;
    let workspace: Workspace;
    let fresh: Workspace;
    let main: Server;
    let candidate: Server;
    let endpoint: string;
    let candidateEndpoint: string;
    let stableHex = 'a';
    let newestHex = 'a';
    let candidateMetrics = metrics(0, 0);
    const { env, cli } = releaseCli({ timeoutMs: 120_000 });
    const afterBake = (from: Workspace, ...more: string[]) =>
      cli(from, 'release', 'promote', '--after-bake', '--no-generate', '--auto-approve', ...more);
    const setBake = (minutes: number) => {
      for (const each of [workspace, fresh])
        writeFileSync(each.configFile, cloudRunConfig(statePath, minutes));
    };
    /** The stack generate would write for the revision of image `hex`. */
    const deploy = (hex: string) => {
      workspace.writeBuildRecord(image(hex), `bento-${hex}`);
      writeStackJson(
        workspace,
        trafficStandInStack({
          statePath,
          image: image(hex),
          revision: revision(hex),
          endpoint,
          candidateEndpoint,
        }),
      );
    };
    const apply = async (hex: string) => {
      deploy(hex);
      newestHex = hex;
      const result = await cli(workspace, 'apply', '--no-generate', '--auto-approve');
      expect(result.status, result.stderr).toBe(0);
    };
    const tfvars = () =>
      JSON.parse(
        readFileSync(join(workspace.paths.stack, 'bentoctl-traffic.auto.tfvars.json'), 'utf8'),
      ) as { bentoctl_traffic: unknown };

    beforeAll(async () => {
      assertCliBuilt();
      folders = createSharedStateWorkspaces('bake-cli');
      ({ statePath, workspace, fresh } = folders);
      setBake(0);
      workspace.writeStack({ ...DEFAULT_SHAPE, image: image('a') });
      main = standIn(
        () => stableHex,
        () => metrics(0, 0),
      );
      candidate = standIn(
        () => newestHex,
        () => candidateMetrics,
      );
      endpoint = await listen(main);
      candidateEndpoint = await listen(candidate);
    });
    afterAll(async () => {
      for (const server of [main, candidate]) {
        await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      }
      folders?.remove();
    });

    it('GIVEN no candidate in progress WHEN run after the apply THEN it says nothing is to promote, checks the endpoint and exits 0', async () => {
      await apply('a');

      const result = await afterBake(fresh, '--json');

      expect(result.status, result.stderr).toBe(0);
      const settled = JSON.parse(result.stdout) as AfterBake;
      expect(settled).toMatchObject({ outcome: 'nothing-in-progress', health: null });
      expect(settled.serving?.number).toBe(1);
      expect(settled.ready?.revision?.imageDigest).toBe(digest('a'));
    });

    it('GIVEN a baked canary with few 5xx on its own URL WHEN run THEN it is promoted and the result says how healthy it was', async () => {
      await apply('b');
      candidateMetrics = metrics(99, 1);
      stableHex = 'b'; // what the endpoint answers from once the candidate has all traffic

      // The folder with the stack (--no-generate): a CI runner would generate it.
      const result = await afterBake(workspace, '--json');

      expect(result.status, result.stderr).toBe(0);
      const promoted = JSON.parse(result.stdout) as AfterBake;
      expect(promoted).toMatchObject({
        outcome: 'promoted',
        bakeWaitedSeconds: 0,
        health: {
          healthy: true,
          checked: true,
          errorRate: { requests: 100, errors: 1, percent: 1 },
        },
        serving: { number: 2 },
      });
      expect(promoted.ready?.revision?.imageDigest).toBe(digest('b'));
      expect(tfvars()).toEqual({
        bentoctl_traffic: [{ revision: revision('b'), percent: 100, tag: 'candidate' }],
      });
      const text = await afterBake(fresh);
      expect(text.status, text.stderr).toBe(0);
      expect(text.stdout).toContain(
        'Nothing to promote: no candidate of bake-cli is in progress; release 2 takes all traffic.',
      );
    });

    it('GIVEN a baked canary answering 25 % 5xx WHEN run THEN it aborts (all traffic back) and exits 3 naming the rate', async () => {
      await apply('c');
      candidateMetrics = metrics(15, 5);

      const result = await afterBake(workspace);

      expect(result.status, result.stderr).toBe(3);
      expect(result.stderr).toContain(
        `Error [RELEASE_CANDIDATE_UNHEALTHY]: The candidate of bake-cli (revision ${revision('c')}) was not healthy after its bake: 25 % of the 20 requests it answered were 5xx (more than 5 %, ${candidateEndpoint}/metrics). It was not promoted: all traffic went back to revision ${revision('b')}.`,
      );
      expect(result.stdout).toContain(`${endpoint}/readyz is ready and serves bento bento-b`);
      expect(tfvars()).toEqual({
        bentoctl_traffic: [
          { revision: revision('b'), percent: 100, tag: null },
          // An aborted candidate is marked drained (aws-ec2-gpu sizes its group at 0 by it).
          { revision: revision('c'), percent: 0, tag: 'candidate', drained: true },
        ],
      });
      const status = await cli(fresh, 'release', 'status', '--json');
      expect((JSON.parse(status.stdout) as { phase: string }).phase).toBe('aborted');
    });

    it('GIVEN a canary with more bake left than --max-bake-wait THEN it is refused at once, before any plan', async () => {
      setBake(15);
      await apply('d');

      const result = await afterBake(fresh, '--max-bake-wait', '5');

      expect(result.status).toBe(2);
      expect(result.stderr).toContain(
        'Error [RELEASE_BAKE_TOO_LONG]: The canary of bake-cli bakes 15 more min, longer than --max-bake-wait allows (5 min)',
      );
      expect(result.stderr).not.toContain('terraform plan');
    });

    it.each(['SIGINT', 'SIGTERM'] as const)(
      'GIVEN a canary baking WHEN %s arrives during the wait THEN it exits 130 saying nothing was applied',
      async (signal) => {
        const started = startCli(
          ['release', 'promote', '--after-bake', '--no-generate', '--auto-approve'],
          { cwd: fresh.dir, env: env(fresh) },
        );
        await new Promise<void>((resolve, reject) => {
          const poll = setInterval(() => {
            if (started.output().stderr.includes('to finish its bake of 15 min')) {
              clearInterval(poll);
              resolve();
            }
          }, 100);
          void started.exited.then(() => {
            clearInterval(poll);
            reject(new Error(`exited before waiting: ${started.output().stderr}`));
          });
        });
        started.child.kill(signal);
        const result = await started.exited;

        expect(result.status, result.stderr).toBe(130);
        expect(result.stderr).toContain(
          `Interrupted the bake wait of bake-cli (${signal}); nothing was applied: the candidate keeps its share`,
        );
        const status = await cli(fresh, 'release', 'status', '--json');
        expect((JSON.parse(status.stdout) as { phase: string }).phase).toBe('canary');
      },
    );

    it('GIVEN a terminated deployment WHEN run THEN DEPLOYMENT_TERMINATED names release promote and the restore of its config', async () => {
      const terminated = await cli(workspace, 'terminate', '--no-generate', '--auto-approve');
      expect(terminated.status, terminated.stderr).toBe(0);

      const result = await afterBake(fresh);

      expect(result.status).toBe(2);
      expect(result.stderr).toContain(
        'Error [DEPLOYMENT_TERMINATED]: `bentoctl release promote` refused: deployment bake-cli is terminated',
      );
      expect(result.stderr).toContain('bentoctl restore -f deployment_config.yaml');
    });
  },
);

describe.skipIf(binary === undefined)(
  'bentoctl release promote --after-bake where the platform moves the traffic',
  () => {
    let workspace: Workspace;
    let server: Server;
    let endpoint: string;
    const served = `sha256:${'e'.repeat(64)}`;

    beforeAll(async () => {
      assertCliBuilt();
      workspace = createWorkspace('bake-ecs');
      server = createServer((_request, response) => {
        response.setHeader('bentoctl-bento-version', 'bento-e');
        response.setHeader('bentoctl-image-digest', served);
        response.end('{"status":"ready"}');
      });
      endpoint = await listen(server);
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      workspace?.remove();
    });

    it('GIVEN aws-ecs rolling after an apply WHEN run THEN it reports, waits until the endpoint serves the current release, and exits 0', async () => {
      const pinned = `123456789012.dkr.ecr.us-east-1.amazonaws.com/demo@${served}`;
      workspace.writeBuildRecord(pinned, 'bento-e');
      workspace.writeStack({ ...DEFAULT_SHAPE, image: pinned, endpoint });
      const env = { ...workspace.env, CI: 'true' };
      const applied = await runCli(['apply', '--no-generate', '--auto-approve', '--no-wait'], {
        cwd: workspace.dir,
        env,
      });
      expect(applied.status, applied.stderr).toBe(0);

      const result = await runCli(['release', 'promote', '--after-bake', '--auto-approve'], {
        cwd: workspace.dir,
        env,
      });

      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toContain('bake-ecs releases rolling');
      expect(result.stderr).not.toContain('terraform plan');
      expect(result.stdout).toContain(`${endpoint}/readyz is ready and serves bento bento-e`);
      expect(result.stdout).toContain(
        'Nothing to promote: aws-ecs moves the traffic of bake-ecs itself; release 1 takes all traffic.',
      );
    });
  },
);
