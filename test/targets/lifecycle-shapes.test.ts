/**
 * Each target's terminated and restoring shapes (`bentoctl terminate` / `restore`): what changes
 * from the running stack, attribute by attribute, and the plan summary a reviewer sees for it.
 * Everything else (repository, images, network, IAM, config) must stay as it is.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { summarizePlan } from '../../src/terraform/plan-summary.js';
import type { JsonValue, ResourceChange } from '../../src/terraform/plan-json.js';
import { renderPlanText } from '../../src/terraform/render-plan-text.js';
import { synthesizeStacks, type SynthesizedStack } from '../../src/targets/synth-stack.js';
import { RUNNING, type StackLifecycle } from '../../src/targets/synthesizer.js';
import { makeBentoWorkspace } from '../helpers/bento-fixture.js';
import { configText, ECR_IMAGE, loadTestConfig } from './target-synth-harness.js';

const workspace = makeBentoWorkspace();
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

const TERMINATED: StackLifecycle = { terminated: true, restoring: false };
const RESTORING: StackLifecycle = { terminated: false, restoring: true };

const SPECS = {
  'aws-ecs': 'region: us-east-1\nmin_instances: 2\nmax_instances: 4',
  'aws-ec2-gpu (group)':
    'region: us-east-1\ninstance_type: g5.xlarge\nmin_instances: 1\nmax_instances: 3',
  'aws-ec2-gpu (one instance)': 'region: us-east-1\ninstance_type: g5.xlarge\nmax_instances: 1',
  'aws-ec2-gpu (canary)':
    'region: us-east-1\ninstance_type: g5.xlarge\nmin_instances: 2\nmax_instances: 4',
  'google-cloud-run': 'project: ml-project-123\nregion: us-central1\nmin_instances: 1',
  'azure-aks':
    'location: westeurope\napi_server_authorized_ip_ranges: [203.0.113.0/24]\nmin_instances: 2\nmax_instances: 5',
} as const;

/** The config beyond `spec`, where a shape needs it. */
const EXTRA: Partial<Record<keyof typeof SPECS, string>> = {
  'aws-ec2-gpu (canary)': 'release:\n  strategy: canary\n  percent: 10\n',
};

/** The resources of every stack of the deployment (azure-aks has a cluster and a workload one). */
type Stacks = readonly Pick<SynthesizedStack, 'json'>[];

async function stackOf(name: keyof typeof SPECS, lifecycle: StackLifecycle): Promise<Stacks> {
  const target = name.split(' ')[0]!;
  const parts = await synthesizeStacks({
    config: loadTestConfig(configText(target, SPECS[name], EXTRA[name]), workspace),
    image: ECR_IMAGE,
    bentoVersion: '0123456789abcdef',
    bentoName: 'iris_classifier',
    lifecycle,
  });
  return parts.map((part) => part.stack);
}

type Blocks = Record<string, Record<string, Record<string, JsonValue>>>;

function resourceMap(stacks: Stacks): Map<string, Record<string, JsonValue>> {
  const map = new Map<string, Record<string, JsonValue>>();
  for (const stack of stacks)
    for (const [type, byName] of Object.entries((stack.json.resource ?? {}) as Blocks))
      for (const [name, body] of Object.entries(byName)) map.set(`${type}.${name}`, body);
  return map;
}

/** `address attribute.path: before → after` for every leaf that differs. */
function differences(from: Stacks, to: Stacks): string[] {
  const before = resourceMap(from);
  const after = resourceMap(to);
  const lines: string[] = [];
  const walk = (address: string, path: string, a: unknown, b: unknown): void => {
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
        walk(
          address,
          path === '' ? key : `${path}.${key}`,
          (a as Record<string, unknown>)[key],
          (b as Record<string, unknown>)[key],
        );
      return;
    }
    lines.push(`${address} ${path}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
  };
  for (const address of new Set([...before.keys(), ...after.keys()])) {
    if (!after.has(address)) lines.push(`${address}: removed`);
    else if (!before.has(address)) lines.push(`${address}: added`);
    else walk(address, '', before.get(address), after.get(address));
  }
  return lines.sort();
}

/** The plan terraform would show for going from one stack's config to the other's. */
function planBetween(from: Stacks, to: Stacks): string {
  const before = resourceMap(from);
  const after = resourceMap(to);
  const changes: ResourceChange[] = [...new Set([...before.keys(), ...after.keys()])]
    .sort()
    .map((address) => {
      const [type, name] = address.split('.') as [string, string];
      const a = before.get(address);
      const b = after.get(address);
      const actions =
        a === undefined
          ? (['create'] as const)
          : b === undefined
            ? (['delete'] as const)
            : JSON.stringify(a) === JSON.stringify(b)
              ? (['no-op'] as const)
              : (['update'] as const);
      return {
        address,
        mode: 'managed',
        type,
        name,
        provider_name: 'registry.terraform.io/hashicorp/x',
        change: { actions, before: a ?? null, after: b ?? null },
      };
    });
  return renderPlanText(
    summarizePlan({ format_version: '1.2', resource_changes: changes }),
    'Terminate plan',
  );
}

describe('terminated and restoring stacks', () => {
  it('GIVEN aws-ecs WHEN terminated THEN only the task count goes to zero (autoscaling 0..0)', async () => {
    const running = await stackOf('aws-ecs', RUNNING);
    const terminated = await stackOf('aws-ecs', TERMINATED);

    expect(differences(running, terminated)).toEqual([
      'aws_appautoscaling_target.autoscaling_target max_capacity: 4 → 0',
      'aws_appautoscaling_target.autoscaling_target min_capacity: 2 → 0',
      'aws_ecs_service.service desired_count: 2 → 0',
    ]);
    const plan = planBetween(running, terminated);
    expect(plan).toContain('Terminate plan: 0 to create, 2 to update');
    expect(plan).toContain('aws_appautoscaling_target.autoscaling_target');
    // Restoring an ECS service needs nothing special: autoscaling raises it back to min.
    expect(differences(running, await stackOf('aws-ecs', RESTORING))).toEqual([]);
  });

  it('GIVEN aws-ec2-gpu with a group WHEN terminated THEN the group is held at 0..0', async () => {
    const running = await stackOf('aws-ec2-gpu (group)', RUNNING);
    const terminated = await stackOf('aws-ec2-gpu (group)', TERMINATED);

    expect(differences(running, terminated)).toEqual([
      'aws_autoscaling_group.autoscaling_group desired_capacity: 1 → 0',
      'aws_autoscaling_group.autoscaling_group max_size: 3 → 0',
      'aws_autoscaling_group.autoscaling_group min_size: 1 → 0',
    ]);
  });

  it('GIVEN aws-ec2-gpu under canary WHEN terminated THEN every revision group, stable and candidate, is held at 0..0, and a restore gives back their sizes', async () => {
    const running = await stackOf('aws-ec2-gpu (canary)', RUNNING);
    const terminated = await stackOf('aws-ec2-gpu (canary)', TERMINATED);
    const size =
      '"${each.value.drained ? 0 : (each.value.tag != null && each.value.percent < 100 ? 1 : 2)}"';
    const group = 'aws_autoscaling_group.revision_autoscaling_group';

    // One resource per entry of bentoctl_traffic: the same 0 for the stable and the candidate.
    expect(differences(running, terminated)).toEqual([
      `${group} desired_capacity: ${size} → 0`,
      `${group} max_size: "\${each.value.drained ? 0 : 4}" → 0`,
      `${group} min_size: ${size} → 0`,
      `${group} wait_for_elb_capacity: ${size} → 0`,
    ]);
    expect(differences(running, await stackOf('aws-ec2-gpu (canary)', RESTORING))).toEqual([]);
  });

  it('GIVEN aws-ec2-gpu with one instance WHEN terminated THEN it is stopped, and a restore starts it', async () => {
    const running = await stackOf('aws-ec2-gpu (one instance)', RUNNING);
    const terminated = await stackOf('aws-ec2-gpu (one instance)', TERMINATED);
    const restoring = await stackOf('aws-ec2-gpu (one instance)', RESTORING);

    expect(differences(running, terminated)).toEqual([
      'aws_ec2_instance_state.instance_state: added',
    ]);
    expect(resourceMap(terminated).get('aws_ec2_instance_state.instance_state')).toMatchObject({
      instance_id: '${aws_instance.instance.id}',
      state: 'stopped',
    });
    expect(resourceMap(restoring).get('aws_ec2_instance_state.instance_state')).toMatchObject({
      state: 'running',
    });
    expect(planBetween(running, terminated)).toContain('aws_ec2_instance_state.instance_state');
  });

  it('GIVEN google-cloud-run WHEN terminated THEN no instances (manual scaling at 0) and internal ingress only; a restore sets AUTOMATIC', async () => {
    const running = await stackOf('google-cloud-run', RUNNING);
    const terminated = await stackOf('google-cloud-run', TERMINATED);

    expect(differences(running, terminated)).toEqual([
      'google_cloud_run_v2_service.service ingress: "INGRESS_TRAFFIC_ALL" → "INGRESS_TRAFFIC_INTERNAL_ONLY"',
      'google_cloud_run_v2_service.service scaling: undefined → {"manual_instance_count":0,"scaling_mode":"MANUAL"}',
    ]);
    expect(differences(running, await stackOf('google-cloud-run', RESTORING))).toEqual([
      'google_cloud_run_v2_service.service scaling: undefined → {"scaling_mode":"AUTOMATIC"}',
    ]);
    expect(planBetween(running, terminated)).toContain('google_cloud_run_v2_service.service');
  });

  it('GIVEN azure-aks WHEN terminated THEN the Deployment has 0 replicas and no HPA; a restore sets the count outright', async () => {
    const running = await stackOf('azure-aks', RUNNING);
    const terminated = await stackOf('azure-aks', TERMINATED);
    const restoring = await stackOf('azure-aks', RESTORING);

    expect(differences(running, terminated)).toEqual([
      'kubernetes_deployment_v1.deployment lifecycle: {"ignore_changes":["spec[0].replicas"]} → undefined',
      'kubernetes_deployment_v1.deployment spec.replicas: "2" → "0"',
      'kubernetes_horizontal_pod_autoscaler_v2.autoscaler: removed',
    ]);
    expect(differences(running, restoring)).toEqual([
      'kubernetes_deployment_v1.deployment lifecycle: {"ignore_changes":["spec[0].replicas"]} → undefined',
    ]);
    const plan = planBetween(running, terminated);
    expect(plan).toContain('kubernetes_horizontal_pod_autoscaler_v2.autoscaler');
    expect(plan).toMatch(/kubernetes_horizontal_pod_autoscaler_v2\.autoscaler\s+delete/);
  });
});
