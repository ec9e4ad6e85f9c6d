/**
 * aws-ecs canary and blue-green with runtime.grpc (src/targets/aws-ecs/grpc-traffic-shift.ts):
 * the service's gRPC `load_balancer` block gets its own alternate GRPC target group and a
 * production rule on the gRPC listener, so ECS shifts the gRPC calls in the same deployment as
 * the requests; under rolling the gRPC blocks stay as they were.
 */
import { describe, expect, it } from 'vitest';
import { synthesizeAwsEcs } from '../../src/targets/aws-ecs/stack.js';
import { stableJson } from '../../src/targets/stable-json.js';
import {
  configText,
  ECR_IMAGE,
  loadTestConfig,
  resource,
  resourcesOf,
  synthesizeTarget,
  type TerraformDocument,
} from './target-synth-harness.js';

const CERTIFICATE =
  'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789012';
const SPEC = `region: us-east-1\ncertificate_arn: ${CERTIFICATE}`;
const GRPC = 'runtime:\n  grpc: { enabled: true, port: 50051 }\n';
const CANARY = 'release:\n  strategy: canary\n  percent: 10\n  bake_minutes: 15\n';
const BLUE_GREEN = 'release:\n  strategy: blue-green\n';

const synth = (extra: string): TerraformDocument =>
  synthesizeTarget(synthesizeAwsEcs, loadTestConfig(configText('aws-ecs', SPEC, extra)), ECR_IMAGE);

interface Service {
  load_balancer: {
    target_group_arn: string;
    container_port: number;
    advanced_configuration?: Record<string, string>;
  }[];
  depends_on: string[];
}
const service = (stack: TerraformDocument) =>
  resource(stack, 'aws_ecs_service', 'service') as unknown as Service;

describe.each([
  ['canary', CANARY],
  ['blue-green', BLUE_GREEN],
])('aws-ecs %s with runtime.grpc', (_strategy, release) => {
  const stack = synth(`${GRPC}${release}`);

  it("THEN the gRPC load_balancer block has its own alternate target group and production rule, with the HTTP block's role", () => {
    const [http, grpc] = service(stack).load_balancer;
    expect(http?.advanced_configuration).toMatchObject({
      alternate_target_group_arn: '${aws_lb_target_group.alternate_target_group.arn}',
      production_listener_rule: '${aws_lb_listener_rule.production_listener_rule.arn}',
      role_arn: '${aws_iam_role.deployment_role.arn}',
    });
    // The candidate's own URL (the test listener) is HTTP's: the gRPC block has no test rule.
    expect(grpc).toEqual({
      target_group_arn: '${aws_lb_target_group.grpc_target_group.arn}',
      container_name: 'bento',
      container_port: 50051,
      advanced_configuration: {
        alternate_target_group_arn: '${aws_lb_target_group.grpc_alternate_target_group.arn}',
        production_listener_rule: '${aws_lb_listener_rule.grpc_production_listener_rule.arn}',
        role_arn: '${aws_iam_role.deployment_role.arn}',
      },
    });
    expect(service(stack).depends_on).toEqual(
      expect.arrayContaining([
        'aws_lb_listener_rule.production_listener_rule',
        'aws_lb_listener_rule.grpc_production_listener_rule',
      ]),
    );
  });

  it('THEN the rule on the gRPC listener forwards all to the primary GRPC group, weights left to ECS', () => {
    expect(resource(stack, 'aws_lb_listener_rule', 'grpc_production_listener_rule')).toEqual({
      listener_arn: '${aws_lb_listener.grpc_listener.arn}',
      priority: 1,
      condition: [{ path_pattern: { values: ['/*'] } }],
      action: [
        {
          type: 'forward',
          forward: {
            target_group: [
              { arn: '${aws_lb_target_group.grpc_target_group.arn}', weight: 100 },
              { arn: '${aws_lb_target_group.grpc_alternate_target_group.arn}', weight: 0 },
            ],
          },
        },
      ],
      lifecycle: { ignore_changes: ['action'] },
    });
    // The alternate is the primary's twin: a GRPC group on the gRPC port, checked with ServerReady.
    expect(resource(stack, 'aws_lb_target_group', 'grpc_alternate_target_group')).toEqual(
      resource(stack, 'aws_lb_target_group', 'grpc_target_group'),
    );
    expect(resource(stack, 'aws_lb_target_group', 'grpc_alternate_target_group')).toMatchObject({
      port: 50051,
      protocol_version: 'GRPC',
    });
  });
});

describe('aws-ecs rolling with runtime.grpc', () => {
  it('THEN neither block has an advanced_configuration and there is no rule or alternate group', () => {
    const stack = synth(GRPC);
    expect(service(stack).load_balancer.map((block) => block.advanced_configuration)).toEqual([
      undefined,
      undefined,
    ]);
    expect(resourcesOf(stack, 'aws_lb_listener_rule')).toEqual({});
    expect(Object.keys(resourcesOf(stack, 'aws_lb_target_group')).sort()).toEqual([
      'grpc_target_group',
      'target_group',
    ]);
  });
});

describe('aws-ecs canary with runtime.grpc, the whole stack', () => {
  it('THEN it matches the reviewed snapshot', async () => {
    await expect(stableJson(synth(`${GRPC}${CANARY}`))).toMatchFileSnapshot(
      '__snapshots__/aws-ecs-canary-grpc.tf.json',
    );
  });
});
