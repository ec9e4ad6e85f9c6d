/**
 * The summary of hand-written plan JSON for each target (fixtures follow Terraform's documented
 * plan format): the action per resource, the changed attributes, and that sensitive values never
 * reach the summary while unknown ones are marked.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePlanJson } from '../../src/terraform/plan-json.js';
import {
  summarizePlan,
  type PlanSummary,
  type ResourceSummary,
} from '../../src/terraform/plan-summary.js';

function fixture(target: string): { text: string; summary: PlanSummary } {
  const text = readFileSync(new URL(`../fixtures/plans/${target}.json`, import.meta.url), 'utf8');
  return { text, summary: summarizePlan(parsePlanJson(text)) };
}

function resource(summary: PlanSummary, address: string): ResourceSummary {
  const found = summary.resources.find((candidate) => candidate.address === address);
  if (found === undefined) throw new Error(`${address} is not in the summary`);
  return found;
}

describe('summarizePlan', () => {
  it('GIVEN an ECS plan THEN the task definition is replaced because its container definitions changed', () => {
    const { summary } = fixture('aws-ecs');

    expect(summary.counts).toMatchObject({
      create: 1,
      update: 2,
      replace: 1,
      delete: 1,
      'no-op': 1,
    });
    expect(summary.destructive).toBe(true);
    const task = resource(summary, 'aws_ecs_task_definition.task');
    expect(task).toMatchObject({ action: 'replace', reason: 'cannot be updated in place' });
    // The JSON document inside container_definitions is compared field by field.
    expect(task.changes).toContainEqual({
      path: 'container_definitions[0].image',
      // Long values are shortened in the middle, keeping the digests' differing ends.
      before: expect.stringMatching(/^"123456789012\.dkr\.ecr.*…1{40,}"$/) as string,
      after: expect.stringMatching(/^"123456789012\.dkr\.ecr.*…2{40,}"$/) as string,
      forcesReplacement: true,
    });
    expect(task.changes.map((change) => change.path)).toEqual([
      'arn',
      'container_definitions[0].image',
      'id',
      'revision',
    ]);
  });

  it('GIVEN an ECS service update THEN unknown and changed attributes are listed, unchanged ones not', () => {
    const { summary } = fixture('aws-ecs');
    const service = resource(summary, 'aws_ecs_service.service');

    expect(service.changes).toEqual([
      { path: 'desired_count', before: '1', after: '2', forcesReplacement: false },
      {
        path: 'task_definition',
        before: '"arn:aws:ecs:us-east-1:123456789012:task-definition/iris-ecs:7"',
        after: '(known after apply)',
        forcesReplacement: false,
      },
      {
        path: 'tags["bentoctl.io/bento-version"]',
        before: '"3f9a1c2b4d5e6f70"',
        after: '"8e7d6c5b4a392817"',
        forcesReplacement: false,
      },
    ]);
  });

  it('GIVEN a changed secret THEN it reads (sensitive) on both sides and its value is nowhere', () => {
    const { summary } = fixture('aws-ecs');

    expect(
      resource(summary, 'aws_secretsmanager_secret_version.auth_token').changes,
    ).toContainEqual({
      path: 'secret_string',
      before: '(sensitive)',
      after: '(sensitive)',
      forcesReplacement: false,
    });
    expect(JSON.stringify(summary)).not.toMatch(/old-token-value|new-token-value/);
  });

  it('GIVEN a Cloud Run plan THEN nested container fields have dotted paths and the new secret is masked', () => {
    const { summary } = fixture('google-cloud-run');

    expect(summary.counts).toMatchObject({ create: 1, update: 1, replace: 1, delete: 1 });
    const paths = resource(summary, 'google_cloud_run_v2_service.service').changes.map(
      (change) => change.path,
    );
    expect(paths).toEqual([
      'latest_ready_revision',
      'template[0].containers[0].image',
      'template[0].containers[0].env[0].value',
      'template[0].containers[0].env[1].value_source[0].secret_key_ref[0].version',
      'template[0].scaling[0].max_instance_count',
    ]);
    expect(
      resource(summary, 'google_cloud_run_v2_service_iam_member.invoker').changes,
    ).toContainEqual(expect.objectContaining({ path: 'member', forcesReplacement: true }));
    expect(summary.outputs).toEqual([
      {
        name: 'latest_revision',
        action: 'update',
        before:
          '"projects/my-ml-project/locations/europe-west4/services/iris-run/revisions/iris-run-00003-x7k"',
        after: '(known after apply)',
      },
    ]);
    expect(JSON.stringify(summary)).not.toContain('s3cr3t-token-v2');
  });

  it('GIVEN an AKS plan THEN a whole-block sensitive attribute that did not change stays hidden', () => {
    const { summary } = fixture('azure-aks');

    const cluster = resource(summary, 'azurerm_kubernetes_cluster.aks');
    expect(cluster.changes.map((change) => change.path)).toEqual([
      'default_node_pool[0].node_count',
      'kubernetes_version',
    ]);
    expect(resource(summary, 'kubernetes_secret_v1.runtime').changes).toEqual([
      { path: 'data', before: '(sensitive)', after: '(sensitive)', forcesReplacement: false },
    ]);
    expect(resource(summary, 'kubernetes_service_v1.bento')).toMatchObject({
      action: 'replace',
      reason: 'replacement requested',
    });
    expect(resource(summary, 'kubernetes_horizontal_pod_autoscaler_v2.bento').action).toBe(
      'delete',
    );
    expect(JSON.stringify(summary)).not.toMatch(/old-api-token|new-api-token|LS0tLS1CRUdJTi/);
  });

  it('GIVEN an EC2 GPU plan THEN the instance replacement is forced by its AMI and the policy diff is inside the JSON', () => {
    const { summary } = fixture('aws-ec2-gpu');

    expect(summary.counts).toMatchObject({ create: 1, update: 3, replace: 1, delete: 1 });
    expect(resource(summary, 'aws_instance.warm_pool[0]').changes).toContainEqual({
      path: 'ami',
      before: '"ami-0a1b2c3d4e5f60001"',
      after: '"ami-0a1b2c3d4e5f60002"',
      forcesReplacement: true,
    });
    expect(resource(summary, 'aws_iam_role_policy.runtime').changes).toEqual([
      {
        path: 'policy.Statement[0].Action[1]',
        before: 'null',
        after: '"secretsmanager:GetSecretValue"',
        forcesReplacement: false,
      },
    ]);
    expect(resource(summary, 'aws_autoscaling_group.gpu').changes).toEqual([
      {
        path: 'launch_template[0].version',
        before: '"3"',
        after: '(known after apply)',
        forcesReplacement: false,
      },
      { path: 'max_size', before: '2', after: '4', forcesReplacement: false },
    ]);
  });

  it('GIVEN created and deleted resources THEN no attribute changes are listed for them', () => {
    const { summary } = fixture('aws-ec2-gpu');

    expect(resource(summary, 'aws_security_group.gpu')).toMatchObject({
      action: 'create',
      changes: [],
    });
    expect(resource(summary, 'aws_iam_role_policy.ecr_pull')).toMatchObject({
      action: 'delete',
      reason: 'removed from the configuration',
      changes: [],
    });
  });

  it('GIVEN a destroy plan that deletes a force_delete repository THEN the summary says its images go too', () => {
    const repository = (forceDelete: boolean) => ({
      address: 'aws_ecr_repository.ecr_repository',
      mode: 'managed' as const,
      type: 'aws_ecr_repository',
      name: 'ecr_repository',
      provider_name: 'registry.terraform.io/hashicorp/aws',
      change: {
        actions: ['delete' as const],
        before: { name: 'iris-prod', force_delete: forceDelete },
        after: null,
      },
    });
    const summarize = (forceDelete: boolean) =>
      summarizePlan({ format_version: '1.2', resource_changes: [repository(forceDelete)] })
        .resources[0];
    expect(summarize(true)).toMatchObject({
      action: 'delete',
      reason: 'force_delete: everything in it is deleted too',
    });
    expect(summarize(false)).not.toHaveProperty('reason');
  });

  it('GIVEN a secret copied into an attribute the plan does not mark THEN it is masked there too', () => {
    const summary = summarizePlan({
      format_version: '1.2',
      resource_changes: [
        {
          address: 'terraform_data.service',
          mode: 'managed',
          type: 'terraform_data',
          name: 'service',
          provider_name: 'terraform.io/builtin/terraform',
          change: {
            actions: ['update'],
            before: {
              input: { token: 'tok-"old"' },
              output: { token: 'tok-"old"', header: 'Bearer tok-"old"' },
            },
            after: { input: { token: 'tok-new' } },
            after_unknown: { output: true },
            before_sensitive: { input: { token: true }, output: {} },
            after_sensitive: { input: { token: true }, output: {} },
          },
        },
      ],
    });

    const output = summary.resources[0]?.changes.find((change) => change.path === 'output');
    expect(output?.before).toBe('{"token":(sensitive),"header":"Bearer (sensitive)"}');
    expect(JSON.stringify(summary)).not.toMatch(/tok-/);
  });

  it('GIVEN plan JSON of an unknown major format THEN it is refused', () => {
    expect(() => parsePlanJson('{"format_version":"2.0"}')).toThrow(
      /format_version "2.0" is not 1.x/,
    );
    expect(() => parsePlanJson('not json')).toThrow(
      /terraform show -json printed output bentoctl cannot read/,
    );
  });
});
