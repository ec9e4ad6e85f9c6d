/**
 * The plan/apply/status/list/destroy commands as a user (or CI) runs them: the built CLI in a
 * child process, no terminal, real terraform on a terraform_data stack (--no-generate), and a
 * local HTTP server standing in for the deployed service's /readyz.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTerraformForTests } from './helpers/terraform-available.js';
import { assertCliBuilt, runCli } from '../helpers/run-cli.js';
import { createWorkspace, DEFAULT_SHAPE, type Workspace } from './helpers/workspace.js';

const binary = await findTerraformForTests();

describe.skipIf(binary === undefined)('bentoctl plan/apply/destroy against real terraform', () => {
  let workspace: Workspace;
  let server: Server;
  let readyzHits = 0;
  let endpoint: string;
  const cli = (...args: string[]) =>
    runCli(args, { cwd: workspace.dir, env: { ...workspace.env, CI: 'true' } });

  beforeAll(async () => {
    assertCliBuilt();
    workspace = createWorkspace('cli-svc');
    // Not ready for the first two probes, as a service still starting behind a load balancer.
    server = createServer((request, response) => {
      if (request.url === '/readyz') readyzHits += 1;
      response.statusCode = request.url === '/readyz' && readyzHits > 2 ? 200 : 503;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    workspace.writeStack({ ...DEFAULT_SHAPE, endpoint });
  });
  afterAll(async () => {
    // Guarded: when beforeAll fails (no dist/), these were never created.
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    workspace?.remove();
  });

  it('GIVEN changes WHEN planned with --detailed-exitcode and --markdown THEN it exits 2 and writes the comment', async () => {
    const result = await cli(
      'plan',
      '--no-generate',
      '--detailed-exitcode',
      '--markdown',
      'plan.md',
    );

    expect(result.status).toBe(2);
    expect(result.stdout).toContain(
      'Plan for cli-svc (aws-ecs): 3 to create, 0 to update, 0 to replace, 0 to delete.',
    );
    const markdown = readFileSync(join(workspace.dir, 'plan.md'), 'utf8');
    expect(markdown).toContain('<!-- bentoctl-plan: cli-svc -->');
    expect(markdown).toContain('<code>terraform_data.service</code>');
  });

  it('GIVEN --json WHEN planned THEN stdout is only the JSON result', async () => {
    const result = await cli('plan', '--no-generate', '--json');

    expect(result.status).toBe(0);
    const parsed = JSON.parse(result.stdout) as {
      deployment: string;
      summary: { counts: Record<string, number> };
      release: { number: number; kind: string } | null;
    };
    expect(parsed.deployment).toBe('cli-svc');
    expect(parsed.summary.counts.create).toBe(3);
    expect(parsed.release).toMatchObject({ number: 1, kind: 'apply' });
  });

  it('GIVEN no terminal WHEN applying without --auto-approve THEN it refuses before running terraform', async () => {
    const result = await cli('apply', '--no-generate');

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Error [CONFIRMATION_REQUIRED]');
    expect(existsSync(join(workspace.paths.stack, 'terraform.tfstate'))).toBe(false);
  });

  it('GIVEN --auto-approve WHEN applied THEN it prints the endpoint and waits until /readyz answers', async () => {
    const result = await cli('apply', '--no-generate', '--auto-approve', '--wait-timeout', '30');

    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`endpoint = "${endpoint}"`);
    expect(result.stdout).toContain('api_token = "(sensitive)"');
    expect(result.stdout).toContain(`${endpoint}/readyz is ready.`);
    expect(readyzHits).toBeGreaterThanOrEqual(3);
  });

  it('GIVEN the applied deployment WHEN planned with --detailed-exitcode THEN it exits 0', async () => {
    const result = await cli('plan', '--no-generate', '--detailed-exitcode');

    expect(result.status).toBe(0);
    expect(result.stdout).toContain('no changes');
  });

  it('GIVEN the applied deployment WHEN listed and inspected THEN its target, endpoint and apply time show', async () => {
    const list = await cli('list', '--json');
    const status = await cli('status', '--json', '--no-live');

    expect(list.status).toBe(0);
    const [row] = JSON.parse(list.stdout) as {
      name: string;
      target: string;
      endpoint: string;
      lastAppliedAt: string;
    }[];
    expect(row).toMatchObject({ name: 'cli-svc', target: 'aws-ecs', endpoint });
    expect(Number.isNaN(Date.parse(row?.lastAppliedAt ?? ''))).toBe(false);
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      name: 'cli-svc',
      stateOutputs: { endpoint, api_token: '(sensitive)' },
      health: { up: true, status: 200 },
    });
  });

  it('GIVEN a resource that fails to create WHEN applied THEN it exits 3 naming terraform apply with its error', async () => {
    workspace.writeStack({ ...DEFAULT_SHAPE, endpoint, failOnApply: true });
    const result = await cli('apply', '--no-generate', '--auto-approve', '--no-wait');

    expect(result.status).toBe(3);
    expect(result.stderr).toContain(
      'Error [TERRAFORM_FAILED]: terraform apply failed (exit code 1',
    );
    expect(result.stderr).toContain('migration failed: schema locked');
  });

  it('GIVEN the deployment WHEN destroyed with --auto-approve THEN everything is deleted', async () => {
    const result = await cli('destroy', '--auto-approve');

    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Destroyed cli-svc.');
    const after = await cli('list', '--json');
    expect(JSON.parse(after.stdout)).toMatchObject([{ name: 'cli-svc', lastAppliedAt: null }]);
  });
});

describe('terraform discovery through the CLI', () => {
  let workspace: Workspace;
  beforeAll(() => {
    assertCliBuilt();
    workspace = createWorkspace('disc-svc');
  });
  afterAll(() => workspace?.remove());

  it('GIVEN TERRAFORM_BIN pointing nowhere WHEN planning THEN it exits 3 with an install hint', async () => {
    const result = await runCli(['plan', '--no-generate'], {
      cwd: workspace.dir,
      env: { ...workspace.env, TERRAFORM_BIN: join(workspace.dir, 'no-such-terraform') },
    });

    expect(result.status).toBe(3);
    expect(result.stderr).toContain('Error [TERRAFORM_NOT_FOUND]');
    expect(result.stderr).toContain('https://developer.hashicorp.com/terraform/install');
  });

  it('GIVEN a terraform older than 1.5 WHEN planning THEN it exits 3 naming the version found', async () => {
    const fake = join(workspace.dir, 'terraform-1.4');
    writeFileSync(
      fake,
      '#!/bin/sh\necho \'{"terraform_version":"1.4.7","platform":"linux_amd64"}\'\n',
    );
    chmodSync(fake, 0o755);
    const result = await runCli(['plan', '--no-generate'], {
      cwd: workspace.dir,
      env: { ...workspace.env, TERRAFORM_BIN: fake },
    });

    expect(result.status).toBe(3);
    expect(result.stderr).toContain('Error [TERRAFORM_TOO_OLD]');
    expect(result.stderr).toContain('is Terraform 1.4.7; bentoctl needs 1.5.0 or newer');
  });
});
