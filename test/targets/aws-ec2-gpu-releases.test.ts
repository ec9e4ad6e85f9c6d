/**
 * aws-ec2-gpu under canary and blue-green: one launch template, target group, Auto Scaling group
 * and scaling policy per revision (keyed by its name from `bentoctl_traffic`), the listener's
 * weighted forward across their target groups, and the candidate's own listener.
 */
import { describe, expect, it } from 'vitest';
import { awsEc2Gpu } from '../../src/targets/aws-ec2-gpu/definition.js';
import { canaryMinInstances } from '../../src/targets/aws-ec2-gpu/revision-groups.js';
import { synthesizeAwsEc2Gpu } from '../../src/targets/aws-ec2-gpu/stack.js';
import { imageReference } from '../../src/targets/image-reference.js';
import { stableJson } from '../../src/targets/stable-json.js';
import {
  configText,
  ECR_IMAGE,
  ECR_REPOSITORY,
  loadTestConfig,
  resource,
  resourcesOf,
  synthesizeTarget,
  type TerraformDocument,
} from './target-synth-harness.js';

const SPEC = 'region: us-east-1\nmin_instances: 2\nmax_instances: 4';
const synth = (release: string, spec = SPEC, image = ECR_IMAGE): TerraformDocument =>
  synthesizeTarget(
    synthesizeAwsEc2Gpu,
    loadTestConfig(configText('aws-ec2-gpu', spec, `release:\n${release}\n`)),
    image,
  );
const CANARY = '  strategy: canary\n  percent: 10\n  bake_minutes: 15';
const BLUE_GREEN = '  strategy: blue-green';
const variable = (json: TerraformDocument) =>
  (json as { variable?: Record<string, { default: { revision: string }[]; type: string }> })
    .variable?.bentoctl_traffic;
/** A listener's action: forward to each revision's `group` by its weight in bentoctl_traffic. */
const weightedForward = (group: string) => [
  {
    type: 'forward',
    forward: [
      {
        dynamic: {
          target_group: {
            for_each: '${{ for entry in var.bentoctl_traffic : entry.revision => entry }}',
            iterator: 'each',
            content: {
              arn: `\${aws_lb_target_group.${group}[each.key].arn}`,
              weight: '${each.value.percent}',
            },
          },
        },
      },
    ],
  },
];
const KEYED = '${{ for key, val in var.bentoctl_traffic: val.revision => val }}';

describe('aws-ec2-gpu release strategies', () => {
  it('GIVEN the definition THEN it lists canary and blue-green and explains no gap', () => {
    expect(Object.keys(awsEc2Gpu.releaseStrategies)).toEqual(['rolling', 'canary', 'blue-green']);
    expect(awsEc2Gpu.releaseGaps).toBeUndefined();
  });

  it('GIVEN rolling THEN the one group, its template and target group stay as they were, with no variable', () => {
    const json = synth('  strategy: rolling');

    expect(Object.keys(resourcesOf(json, 'aws_autoscaling_group'))).toEqual(['autoscaling_group']);
    expect(Object.keys(resourcesOf(json, 'aws_lb_target_group'))).toEqual(['target_group']);
    expect(variable(json)).toBeUndefined();
    expect(json.output?.candidate_endpoint).toBeUndefined();
  });

  describe.each([
    ['canary', CANARY],
    ['blue-green', BLUE_GREEN],
  ])('GIVEN %s', (strategy, release) => {
    const json = synth(release);

    it('THEN every per-revision resource is keyed by the revision name, and the variable defaults to this revision', () => {
      const revision = variable(json)?.default[0]?.revision;
      expect(revision).toMatch(/^iris-prod-[0-9a-f]{12}$/);
      expect(variable(json)?.default).toEqual([{ revision, percent: 100, tag: 'candidate' }]);
      expect(variable(json)?.type).toContain('drained = optional(bool, false)');
      for (const [type, name] of [
        ['aws_launch_template', 'revision_launch_template'],
        ['aws_lb_target_group', 'revision_target_group'],
        ['aws_autoscaling_group', 'revision_autoscaling_group'],
        ['aws_autoscaling_policy', 'revision_autoscaling_policy'],
      ] as const) {
        expect(resource(json, type, name)?.for_each, `${type}.${name}`).toBe(KEYED);
      }
      // No shared group: the rolling resources are gone.
      expect(resource(json, 'aws_autoscaling_group', 'autoscaling_group')).toBeUndefined();
      expect(resource(json, 'aws_lb_target_group', 'target_group')).toBeUndefined();
      expect(resource(json, 'aws_launch_template', 'launch_template')).toBeUndefined();
    });

    it("THEN a revision's launch template keeps what it was created with", () => {
      expect(resource(json, 'aws_launch_template', 'revision_launch_template')).toMatchObject({
        name: '${each.key}',
        user_data: '${base64encode(local.user_data)}',
        lifecycle: { ignore_changes: 'all' },
      });
      expect(resource(json, 'aws_autoscaling_group', 'revision_autoscaling_group')).toMatchObject({
        name: '${each.key}',
        launch_template: {
          id: '${aws_launch_template.revision_launch_template[each.key].id}',
          version: '${aws_launch_template.revision_launch_template[each.key].latest_version}',
        },
        target_group_arns: ['${aws_lb_target_group.revision_target_group[each.key].arn}'],
        lifecycle: { ignore_changes: ['desired_capacity'] },
      });
    });

    it('THEN the listener forwards to every revision by its weight, after the groups have their capacity', () => {
      expect(resource(json, 'aws_lb_listener', 'http_listener')).toMatchObject({
        default_action: weightedForward('revision_target_group'),
        depends_on: ['aws_autoscaling_group.revision_autoscaling_group'],
      });
      expect(resource(json, 'aws_autoscaling_policy', 'revision_autoscaling_policy')).toMatchObject(
        {
          autoscaling_group_name:
            '${aws_autoscaling_group.revision_autoscaling_group[each.key].name}',
          target_tracking_configuration: {
            predefined_metric_specification: {
              resource_label:
                '${aws_lb.alb.arn_suffix}/${aws_lb_target_group.revision_target_group[each.key].arn_suffix}',
            },
          },
        },
      );
    });

    it('THEN the candidate answers alone on port 8080, open to the same sources as the endpoint', () => {
      expect(json.locals?.candidate_revision).toBe(
        '${[for entry in var.bentoctl_traffic : entry.revision if entry.tag != null][0]}',
      );
      expect(resource(json, 'aws_lb_listener', 'candidate_listener')).toMatchObject({
        port: 8080,
        protocol: 'HTTP',
        default_action: [
          {
            type: 'forward',
            target_group_arn:
              '${aws_lb_target_group.revision_target_group[local.candidate_revision].arn}',
          },
        ],
      });
      expect(
        resource(json, 'aws_vpc_security_group_ingress_rule', 'alb_ingress_8080_vpc'),
      ).toMatchObject({ from_port: 8080, to_port: 8080, cidr_ipv4: '10.0.0.0/16' });
      expect(json.output?.candidate_endpoint?.value).toBe('http://${aws_lb.alb.dns_name}:8080');
    });
  });

  it('GIVEN a canary of 10 % on min_instances 2 THEN the candidate keeps 1 instance, the others 2, a drained one 0', () => {
    const group = resource(synth(CANARY), 'aws_autoscaling_group', 'revision_autoscaling_group');
    const size =
      '${each.value.drained ? 0 : (each.value.tag != null && each.value.percent < 100 ? 1 : 2)}';

    expect(group).toMatchObject({
      min_size: size,
      desired_capacity: size,
      wait_for_elb_capacity: size,
      max_size: '${each.value.drained ? 0 : 4}',
      wait_for_capacity_timeout: '30m',
    });
    expect(canaryMinInstances(2, 10)).toBe(1);
    expect(canaryMinInstances(10, 25)).toBe(3);
    expect(canaryMinInstances(1, 99)).toBe(1);
  });

  it('GIVEN blue-green THEN the candidate keeps the full min_instances while it waits at weight 0', () => {
    expect(
      resource(synth(BLUE_GREEN), 'aws_autoscaling_group', 'revision_autoscaling_group'),
    ).toMatchObject({ min_size: '${each.value.drained ? 0 : 2}' });
  });

  it('GIVEN a certificate THEN the candidate listener is HTTPS on 8443 with the same certificate', () => {
    const certificate = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d';
    const json = synth(CANARY, `${SPEC}\ncertificate_arn: ${certificate}`);

    expect(resource(json, 'aws_lb_listener', 'candidate_listener')).toMatchObject({
      port: 8443,
      protocol: 'HTTPS',
      certificate_arn: certificate,
    });
    expect(resource(json, 'aws_lb_listener', 'https_listener')?.default_action).toMatchObject([
      { type: 'forward', forward: [{ dynamic: { target_group: { iterator: 'each' } } }] },
    ]);
    expect(json.output?.candidate_endpoint?.value).toBe('https://${aws_lb.alb.dns_name}:8443');
  });

  it('GIVEN a canary THEN the revision name changes with what an instance runs, not with sizes, scaling or the release section', () => {
    const name = (json: TerraformDocument) => variable(json)?.default[0]?.revision;
    const base = name(synth(CANARY));
    const other = imageReference(ECR_REPOSITORY, `sha256:${'cd'.repeat(32)}`, '0123456789abcdef');
    const withEnv = synthesizeTarget(
      synthesizeAwsEc2Gpu,
      loadTestConfig(
        configText('aws-ec2-gpu', SPEC, `release:\n${CANARY}\nenv:\n  LOG_FORMAT: json\n`),
      ),
      ECR_IMAGE,
    );

    expect(name(synth('  strategy: canary\n  percent: 50'))).toBe(base);
    expect(name(synth(BLUE_GREEN))).toBe(base);
    // Sizes change the groups in place: no candidate of the same image.
    expect(
      name(
        synth(CANARY, 'region: us-east-1\nmin_instances: 3\nmax_instances: 6\nscaling_target: 50'),
      ),
    ).toBe(base);
    expect(name(synth(CANARY, SPEC, other))).not.toBe(base);
    expect(name(withEnv)).not.toBe(base);
    expect(name(synth(CANARY, `${SPEC}\ninstance_type: g6.xlarge`))).not.toBe(base);
    expect(name(synth(CANARY, `${SPEC}\nroot_volume_gib: 200`))).not.toBe(base);
  });

  describe.each([
    ['canary', CANARY],
    ['blue-green', BLUE_GREEN],
  ])('GIVEN %s with runtime.grpc', (_strategy, release) => {
    const certificate = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d';
    const json = synthesizeTarget(
      synthesizeAwsEc2Gpu,
      loadTestConfig(
        configText(
          'aws-ec2-gpu',
          `${SPEC}\ncertificate_arn: ${certificate}`,
          `runtime:\n  device: gpu\n  grpc: { enabled: true, port: 50051 }\nrelease:\n${release}\n`,
        ),
      ),
      ECR_IMAGE,
    );

    it('THEN each revision has a GRPC target group on the gRPC port, which its group registers in', () => {
      expect(resource(json, 'aws_lb_target_group', 'revision_grpc_target_group')).toMatchObject({
        for_each: KEYED,
        port: 50051,
        protocol_version: 'GRPC',
        target_type: 'instance',
        health_check: { path: '/inference.GRPCInferenceService/ServerReady', matcher: '0' },
      });
      expect(
        resource(json, 'aws_autoscaling_group', 'revision_autoscaling_group')?.target_group_arns,
      ).toEqual([
        '${aws_lb_target_group.revision_target_group[each.key].arn}',
        '${aws_lb_target_group.revision_grpc_target_group[each.key].arn}',
      ]);
      // No shared GRPC target group that no revision would register in.
      expect(resource(json, 'aws_lb_target_group', 'grpc_target_group')).toBeUndefined();
    });

    it('THEN the gRPC listener forwards to every revision by the same weights, after the groups have their capacity', () => {
      expect(resource(json, 'aws_lb_listener', 'grpc_listener')).toMatchObject({
        port: 50051,
        protocol: 'HTTPS',
        certificate_arn: certificate,
        default_action: weightedForward('revision_grpc_target_group'),
        depends_on: ['aws_autoscaling_group.revision_autoscaling_group'],
      });
      expect(json.output?.grpc_endpoint?.value).toBe('${aws_lb.alb.dns_name}:50051');
      expect(
        Object.keys(resourcesOf(json, 'aws_vpc_security_group_ingress_rule')).filter((name) =>
          name.includes('grpc'),
        ),
      ).toEqual(['alb_ingress_grpc_vpc', 'instance_ingress_alb_grpc']);
    });
  });

  it('GIVEN a canary THEN the whole stack matches its snapshot', async () => {
    await expect(stableJson(synth(CANARY))).toMatchFileSnapshot(
      '__snapshots__/aws-ec2-gpu-canary.tf.json',
    );
  });
});
