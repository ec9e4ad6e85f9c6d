/**
 * The workflow on a target of two stacks (azure-aks: cluster, then workload) with the real
 * terraform binary on provider-free stacks: the cluster stack is a `terraform_data` with an
 * output, the workload stack reads it through `terraform_remote_state` (built in, no download)
 * as the real workload stack configures its kubernetes provider. Steps share one workspace and
 * run in order, as a deployment's life does.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDeployment } from '../../src/deploy/apply-deployment.js';
import type { Approval, DeploymentRun } from '../../src/deploy/deployment-run.js';
import { deploymentStacks } from '../../src/deploy/deployment-stacks.js';
import { destroyDeployment } from '../../src/deploy/destroy-deployment.js';
import { planDeployment } from '../../src/deploy/plan-deployment.js';
import { readReleases } from '../../src/deploy/read-releases.js';
import type { TerraformBinary } from '../../src/terraform/binary.js';
import type { PlanSummary } from '../../src/terraform/plan-summary.js';
import { renderPlanMarkdown } from '../../src/terraform/render-plan-markdown.js';
import { renderPlanText } from '../../src/terraform/render-plan-text.js';
import { TerraformRunner } from '../../src/terraform/runner.js';
import { Terraform } from '../../src/terraform/terraform.js';
import type { StackWriter } from '../../src/terraform/stack-writer.js';
import { findTerraformForTests } from '../terraform/helpers/terraform-available.js';
import { createWorkspace, type Workspace } from '../terraform/helpers/workspace.js';

const binary: TerraformBinary | undefined = await findTerraformForTests();

const IMAGE = `example.azurecr.io/iris@sha256:${'c'.repeat(64)}`;

/** The steps of an apply that changes the cluster: the workload is planned only after it applies. */
const CLUSTER_THEN_WORKLOAD = [
  'terraform init (cluster)',
  'terraform plan (cluster)',
  'terraform apply (cluster)',
  'terraform init (workload)',
  'terraform plan (workload)',
  'terraform apply (workload)',
];

/** What the two test stacks model: the cluster's address, and the workload's replicas. */
interface Shape {
  readonly host: string;
  readonly replicas: number;
}

/** The state file bentoctl derives for each stack (`stackState`), as generate writes it. */
function statePath(run: DeploymentRun, name: string): string {
  const stack = deploymentStacks(run.config, run.paths).find((each) => each.name === name);
  if (stack?.state.backend !== 'local' || stack.state.path === undefined) {
    throw new Error(`no local state path for ${name}`);
  }
  return stack.state.path;
}

function writeStacks(run: DeploymentRun, shape: Shape): void {
  const { paths } = run;
  const backend = (name: string) => ({ backend: { local: { path: statePath(run, name) } } });
  const cluster = {
    terraform: backend('cluster'),
    resource: { terraform_data: { cluster: { input: { host: shape.host } } } },
    output: { kube_host: { value: '${terraform_data.cluster.output.host}' } },
  };
  const workload = {
    terraform: backend('workload'),
    data: {
      terraform_remote_state: {
        cluster: { backend: 'local', config: { path: statePath(run, 'cluster') } },
      },
    },
    resource: {
      terraform_data: {
        service: {
          input: {
            host: '${data.terraform_remote_state.cluster.outputs.kube_host}',
            replicas: shape.replicas,
            image: IMAGE,
          },
        },
      },
    },
    output: { endpoint: { value: 'http://${terraform_data.service.output.host}' } },
  };
  for (const [name, json] of [
    ['cluster', cluster],
    ['workload', workload],
  ] as const) {
    mkdirSync(join(paths.stack, name), { recursive: true });
    writeFileSync(join(paths.stack, name, 'main.tf.json'), `${JSON.stringify(json, null, 2)}\n`);
  }
}

/** Approves everything and keeps what it was shown. */
function recordingApproval(): Approval & { reviewed: PlanSummary[]; confirmed: number } {
  const approval = {
    reviewed: [] as PlanSummary[],
    confirmed: 0,
    review: (summary: PlanSummary) => approval.reviewed.push(summary),
    confirm: async () => {
      approval.confirmed += 1;
      return true;
    },
  };
  return approval;
}

describe.skipIf(binary === undefined)('terraform workflow on a target of two stacks', () => {
  let workspace: Workspace;
  let stateDir: string;
  let run: DeploymentRun;
  let shape: Shape = { host: 'https://cluster-1.example', replicas: 1 };
  const progress: string[] = [];

  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'bentoctl-stacks-'));
    workspace = createWorkspace('demo-aks', {
      target: 'azure-aks',
      spec: ['location: westeurope', 'api_server_authorized_ip_ranges: [203.0.113.0/24]'],
      // One state path for the deployment: each stack gets its own file beside it, so the two
      // backends differ, which a TF_DATA_DIR shared by the stacks would mix up.
      statePath: join(stateDir, 'demo.tfstate'),
    });
    const writer: StackWriter = async () => {
      writeStacks(run, shape);
      const [repository, digest] = IMAGE.split('@') as [string, string];
      return { warnings: [], image: { repository, digest } };
    };
    run = {
      config: workspace.config,
      paths: workspace.paths,
      // A TF_DATA_DIR shared by the whole run, as a user's environment may set: each stack
      // must still get its own.
      terraform: new Terraform(new TerraformRunner({ binary: binary!, env: workspace.env })),
      writeStack: writer,
      progress: (line) => progress.push(line),
    };
  });
  afterAll(() => {
    workspace?.remove();
    if (stateDir !== undefined) rmSync(stateDir, { recursive: true, force: true });
  });

  /** The terraform steps since the last call, stack by stack. */
  const steps = (): string[] => progress.splice(0).filter((line) => line.startsWith('terraform'));

  it('GIVEN a new deployment WHEN planned THEN the cluster is planned and the workload waits for it', async () => {
    const planned = await planDeployment(run);

    expect(steps()).toEqual(['terraform init (cluster)', 'terraform plan (cluster)']);
    expect(planned.summary.stacks).toEqual([
      { name: 'cluster', planned: true, hasChanges: true },
      {
        name: 'workload',
        planned: false,
        hasChanges: true,
        deferredReason:
          'planned after the cluster stack applies: this plan changes the outputs it reads',
      },
    ]);
    expect(planned.summary.resources.map((r) => [r.stack, r.address, r.action])).toEqual([
      ['cluster', 'terraform_data.cluster', 'create'],
    ]);
    const text = renderPlanText(planned.summary, 'Plan for demo-aks (azure-aks)');
    expect(text).toContain('cluster: terraform_data.cluster');
    expect(text).toContain(
      'Stack workload: planned after the cluster stack applies: this plan changes the outputs it reads.',
    );
    expect(
      renderPlanMarkdown(planned.summary, { deployment: 'demo-aks', target: 'azure-aks' }),
    ).toContain('- Stack workload: planned after the cluster stack applies');
    expect(planned.releases).toBeUndefined();
  });

  it('GIVEN that plan WHEN applied THEN the cluster applies, the workload is planned against it, shown, confirmed and applied', async () => {
    const approval = recordingApproval();
    const applied = await applyDeployment(run, approval);

    expect(steps()).toEqual(CLUSTER_THEN_WORKLOAD);
    expect(approval.confirmed).toBe(2);
    expect(approval.reviewed[1]?.resources.map((r) => [r.stack, r.address])).toEqual([
      ['workload', 'terraform_data.bentoctl_release_history'],
      ['workload', 'terraform_data.service'],
    ]);
    expect(applied.outputs.endpoint?.value).toBe('http://https://cluster-1.example');
    // The history is in the workload stack, the one that runs the bento.
    expect(applied.release).toMatchObject({ number: 1, image_digest: IMAGE.split('@')[1] });
    expect(statePath(run, 'cluster')).toBe(join(stateDir, 'demo', 'cluster.tfstate'));
    expect(existsSync(join(stateDir, 'demo', 'workload.tfstate'))).toBe(true);
    expect(readFileSync(statePath(run, 'cluster'), 'utf8')).not.toContain(
      'bentoctl_release_history',
    );
    const fresh = await readReleases(run.config, workspace.paths, {
      binary: binary!,
      env: process.env,
    });
    expect(fresh.map((release) => release.number)).toEqual([1]);
  });

  it('GIVEN a change of the workload only WHEN planned THEN both stacks are planned in one summary', async () => {
    shape = { ...shape, replicas: 3 };
    const planned = await planDeployment(run);

    expect(steps()).toEqual([
      'terraform init (cluster)',
      'terraform plan (cluster)',
      'terraform init (workload)',
      'terraform plan (workload)',
    ]);
    expect(
      planned.summary.stacks?.map((stack) => [stack.name, stack.planned, stack.hasChanges]),
    ).toEqual([
      ['cluster', true, false],
      ['workload', true, true],
    ]);
    expect(planned.summary.counts).toMatchObject({ update: 1, 'no-op': 2 });
    const service = planned.summary.resources.find((r) => r.address === 'terraform_data.service');
    expect(service).toMatchObject({ stack: 'workload', action: 'update' });
  });

  it('GIVEN both plans WHEN saved and applied with apply --plan THEN exactly they are applied, cluster first', async () => {
    const saveTo = join(workspace.dir, 'saved');
    const planned = await planDeployment(run, { saveTo });
    expect(existsSync(join(saveTo, 'cluster', 'bentoctl.tfplan'))).toBe(true);
    expect(existsSync(join(saveTo, 'workload', 'bentoctl.tfplan'))).toBe(true);
    expect(JSON.parse(readFileSync(join(saveTo, 'bentoctl-plan.json'), 'utf8'))).toMatchObject({
      state: null,
      stacks: [
        { name: 'cluster', planned: true, state: { serial: expect.any(Number) } },
        { name: 'workload', planned: true, state: { serial: expect.any(Number) } },
      ],
    });
    expect(planned.summary.hasChanges).toBe(true);
    steps();
    // A change after the plan is not applied: the saved plans are.
    shape = { ...shape, replicas: 9 };
    writeStacks(run, shape);
    const noGenerate = { ...run, writeStack: undefined };
    const applied = await applyDeployment(noGenerate, recordingApproval(), { savedPlan: saveTo });

    expect(steps()).toEqual([
      'terraform init (cluster)',
      'terraform init (workload)',
      'terraform apply (workload)',
    ]);
    expect(applied.applied).toBe(true);
    const state = readFileSync(statePath(run, 'workload'), 'utf8');
    expect(state).toContain('"replicas": 3');
  });

  it('GIVEN a new cluster address WHEN applied THEN the workload is planned after the cluster and gets the new one', async () => {
    shape = { host: 'https://cluster-2.example', replicas: 3 };
    const approval = recordingApproval();
    const applied = await applyDeployment(run, approval);

    expect(approval.reviewed[0]?.stacks?.[1]).toMatchObject({ name: 'workload', planned: false });
    expect(steps()).toEqual(CLUSTER_THEN_WORKLOAD);
    expect(applied.outputs.endpoint?.value).toBe('http://https://cluster-2.example');
  });

  it('GIVEN the deployment WHEN destroyed THEN one confirmation, the workload goes first, then the cluster', async () => {
    const approval = recordingApproval();
    const destroyed = await destroyDeployment(run, approval);

    expect(destroyed.destroyed).toBe(true);
    expect(approval.confirmed).toBe(1);
    expect(steps()).toEqual([
      'terraform init (workload)',
      'terraform plan -destroy (workload)',
      'terraform init (cluster)',
      'terraform plan -destroy (cluster)',
      'terraform apply (destroy plan, workload)',
      'terraform apply (destroy plan, cluster)',
    ]);
    expect(destroyed.summary.resources.map((r) => [r.stack, r.address, r.action])).toEqual([
      ['workload', 'terraform_data.bentoctl_release_history', 'delete'],
      ['workload', 'terraform_data.service', 'delete'],
      ['cluster', 'terraform_data.cluster', 'delete'],
    ]);
    for (const stack of ['cluster', 'workload']) {
      const state = JSON.parse(readFileSync(statePath(run, stack), 'utf8')) as {
        resources: unknown[];
      };
      expect(state.resources).toEqual([]);
    }
  });
});
