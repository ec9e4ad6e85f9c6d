/**
 * `runtime.grpc` on each target: the ports, listeners, target groups, rules and outputs it adds,
 * and that with it off the stack is what it was (each target's reviewed snapshot is unchanged,
 * and only the blocks named here differ between off and on).
 */
import { describe, expect, it } from 'vitest';
import { awsEc2Gpu } from '../../src/targets/aws-ec2-gpu/definition.js';
import { synthesizeAwsEc2Gpu } from '../../src/targets/aws-ec2-gpu/stack.js';
import { awsEcs } from '../../src/targets/aws-ecs/definition.js';
import { synthesizeAwsEcs } from '../../src/targets/aws-ecs/stack.js';
import { synthesizeAzureAks } from '../../src/targets/azure-aks/stack.js';
import { GRPC_HEALTH_CHECK } from '../../src/targets/common/aws-alb.js';
import { stableJson } from '../../src/targets/stable-json.js';
import {
  configText,
  ECR_IMAGE,
  loadError,
  loadTestConfig,
  resource,
  resourcesOf,
  synthesizeTarget,
  synthesizeTargetStacks,
  type TerraformDocument,
} from './target-synth-harness.js';

const CERTIFICATE =
  'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789012';
const GRPC_ON = 'runtime:\n  grpc: { enabled: true }\n';

/** `type.name` of every block (and output) that differs between two documents. */
function changedBlocks(before: TerraformDocument, after: TerraformDocument): string[] {
  const blocks = (document: TerraformDocument): Map<string, string> => {
    const out = new Map<string, string>();
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, byName] of Object.entries(document[kind] ?? {})) {
        for (const [name, body] of Object.entries(byName)) {
          out.set(`${type}.${name}`, JSON.stringify(body));
        }
      }
    }
    for (const [name, body] of Object.entries(document.output ?? {})) {
      out.set(`output.${name}`, JSON.stringify(body));
    }
    for (const [name, body] of Object.entries(document.locals ?? {})) {
      out.set(`local.${name}`, JSON.stringify(body));
    }
    return out;
  };
  const a = blocks(before);
  const b = blocks(after);
  return [...new Set([...a.keys(), ...b.keys()])].filter((key) => a.get(key) !== b.get(key)).sort();
}

/** The ingress/egress rules on `port`, by logical name. */
function rulesOnPort(stack: TerraformDocument, port: number): Record<string, unknown> {
  const rules = {
    ...resourcesOf(stack, 'aws_vpc_security_group_ingress_rule'),
    ...resourcesOf(stack, 'aws_vpc_security_group_egress_rule'),
  };
  return Object.fromEntries(Object.entries(rules).filter(([, rule]) => rule.from_port === port));
}

function containerOf(stack: TerraformDocument): {
  portMappings: unknown[];
  environment: { name: string; value: string }[];
} {
  const definition = resource(stack, 'aws_ecs_task_definition', 'task_definition');
  return (
    (JSON.parse(String(definition?.container_definitions)) as never[])[0] ?? {
      portMappings: [],
      environment: [],
    }
  );
}

describe('aws-ecs with runtime.grpc', () => {
  const spec = `region: us-east-1\ncertificate_arn: ${CERTIFICATE}`;
  const synth = (extra: string) =>
    synthesizeTarget(
      synthesizeAwsEcs,
      loadTestConfig(configText('aws-ecs', spec, extra)),
      ECR_IMAGE,
    );
  const off = synth('');
  const on = synth(GRPC_ON);

  it('THEN a GRPC target group, health-checked with ServerReady, sits behind an HTTPS listener on the gRPC port', () => {
    expect(resource(on, 'aws_lb_target_group', 'grpc_target_group')).toMatchObject({
      port: 3001,
      protocol: 'HTTP',
      protocol_version: 'GRPC',
      target_type: 'ip',
      health_check: {
        path: '/inference.GRPCInferenceService/ServerReady',
        matcher: '0',
        port: 'traffic-port',
      },
      lifecycle: { create_before_destroy: true },
    });
    expect(resource(on, 'aws_lb_listener', 'grpc_listener')).toEqual({
      load_balancer_arn: '${aws_lb.alb.arn}',
      port: 3001,
      protocol: 'HTTPS',
      ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      certificate_arn: CERTIFICATE,
      default_action: [
        { type: 'forward', target_group_arn: '${aws_lb_target_group.grpc_target_group.arn}' },
      ],
    });
  });

  it('THEN the container maps the gRPC port, the runtime is told to serve it, and the service registers in both groups', () => {
    const container = containerOf(on);
    expect(container.portMappings).toEqual([
      { name: 'http', containerPort: 3000, hostPort: 3000, protocol: 'tcp' },
      { name: 'grpc', containerPort: 3001, hostPort: 3001, protocol: 'tcp' },
    ]);
    expect(container.environment).toEqual(
      expect.arrayContaining([
        { name: 'BENTOCTL_GRPC', value: 'true' },
        { name: 'BENTOCTL_GRPC_PORT', value: '3001' },
      ]),
    );
    const service = resource(on, 'aws_ecs_service', 'service');
    expect(service?.load_balancer).toEqual([
      {
        target_group_arn: '${aws_lb_target_group.target_group.arn}',
        container_name: 'bento',
        container_port: 3000,
      },
      {
        target_group_arn: '${aws_lb_target_group.grpc_target_group.arn}',
        container_name: 'bento',
        container_port: 3001,
      },
    ]);
    expect(service?.depends_on).toContain('aws_lb_listener.grpc_listener');
  });

  it('THEN the gRPC port opens from the allowed sources to the ALB and from the ALB to the tasks only', () => {
    expect(rulesOnPort(on, 3001)).toEqual({
      alb_ingress_grpc_vpc: expect.objectContaining({
        security_group_id: '${aws_security_group.alb_security_group.id}',
        cidr_ipv4: '10.0.0.0/16',
        to_port: 3001,
      }),
      alb_egress_targets_grpc: expect.objectContaining({
        security_group_id: '${aws_security_group.alb_security_group.id}',
        referenced_security_group_id: '${aws_security_group.task_security_group.id}',
        to_port: 3001,
      }),
      task_ingress_alb_grpc: expect.objectContaining({
        security_group_id: '${aws_security_group.task_security_group.id}',
        referenced_security_group_id: '${aws_security_group.alb_security_group.id}',
        to_port: 3001,
      }),
    });
    expect(rulesOnPort(off, 3001)).toEqual({});
  });

  it('THEN grpc_endpoint is the load balancer on the gRPC port, and nothing else differs from gRPC off', () => {
    expect(on.output?.grpc_endpoint?.value).toBe('${aws_lb.alb.dns_name}:3001');
    expect(off.output?.grpc_endpoint).toBeUndefined();
    expect(changedBlocks(off, on)).toEqual([
      'aws_ecs_service.service',
      'aws_ecs_task_definition.task_definition',
      'aws_lb_listener.grpc_listener',
      'aws_lb_target_group.grpc_target_group',
      'aws_vpc_security_group_egress_rule.alb_egress_targets_grpc',
      'aws_vpc_security_group_ingress_rule.alb_ingress_grpc_vpc',
      'aws_vpc_security_group_ingress_rule.task_ingress_alb_grpc',
      'output.grpc_endpoint',
    ]);
  });

  it('THEN it matches the reviewed snapshot', async () => {
    await expect(stableJson(on)).toMatchFileSnapshot('__snapshots__/aws-ecs-grpc.tf.json');
  });
});

describe('aws-ec2-gpu with runtime.grpc', () => {
  const gpu = (grpc: boolean) =>
    `runtime:\n  device: gpu\n${grpc ? '  grpc: { enabled: true, port: 50051 }\n' : ''}`;
  const synth = (spec: string, grpc: boolean) =>
    synthesizeTarget(
      synthesizeAwsEc2Gpu,
      loadTestConfig(configText('aws-ec2-gpu', spec, gpu(grpc))),
      ECR_IMAGE,
    );

  describe('GIVEN one instance', () => {
    const spec = 'region: us-east-1';
    const off = synth(spec, false);
    const on = synth(spec, true);

    it('THEN the container publishes the gRPC port, open to the same sources as the serving port, plaintext', () => {
      const script = String(on.locals?.user_data);
      expect(script).toContain('--publish 3000:3000 \\\n  --publish 50051:50051');
      expect(script).toContain("--env 'BENTOCTL_GRPC_PORT=50051'");
      expect(rulesOnPort(on, 50051)).toEqual({
        instance_ingress_grpc_vpc: expect.objectContaining({
          security_group_id: '${aws_security_group.instance_security_group.id}',
          cidr_ipv4: '10.0.0.0/16',
          to_port: 50051,
        }),
      });
      expect(on.output?.grpc_endpoint?.value).toBe('${aws_instance.instance.private_ip}:50051');
      expect(resourcesOf(on, 'aws_lb_listener')).toEqual({});
    });

    it('THEN only the boot script (local.user_data), the rule and the output differ from gRPC off', () => {
      expect(changedBlocks(off, on)).toEqual([
        'aws_vpc_security_group_ingress_rule.instance_ingress_grpc_vpc',
        'local.user_data',
        'output.grpc_endpoint',
      ]);
    });
  });

  describe('GIVEN max_instances 3 (Auto Scaling group behind an ALB)', () => {
    const spec = `region: us-east-1\nmax_instances: 3\ncertificate_arn: ${CERTIFICATE}`;
    const off = synth(spec, false);
    const on = synth(spec, true);

    it('THEN the instances join a GRPC target group behind an HTTPS listener on the gRPC port', () => {
      expect(resource(on, 'aws_lb_target_group', 'grpc_target_group')).toMatchObject({
        port: 50051,
        protocol_version: 'GRPC',
        target_type: 'instance',
        health_check: { path: GRPC_HEALTH_CHECK.path, matcher: GRPC_HEALTH_CHECK.matcher },
      });
      expect(resource(on, 'aws_lb_listener', 'grpc_listener')).toMatchObject({
        port: 50051,
        protocol: 'HTTPS',
        certificate_arn: CERTIFICATE,
      });
      expect(resource(on, 'aws_autoscaling_group', 'autoscaling_group')?.target_group_arns).toEqual(
        ['${aws_lb_target_group.target_group.arn}', '${aws_lb_target_group.grpc_target_group.arn}'],
      );
      expect(Object.keys(rulesOnPort(on, 50051)).sort()).toEqual([
        'alb_egress_targets_grpc',
        'alb_ingress_grpc_vpc',
        'instance_ingress_alb_grpc',
      ]);
      expect(on.output?.grpc_endpoint?.value).toBe('${aws_lb.alb.dns_name}:50051');
    });

    it('THEN only the gRPC blocks, the boot script (local.user_data) and the group differ from gRPC off', () => {
      expect(changedBlocks(off, on)).toEqual([
        'aws_autoscaling_group.autoscaling_group',
        'aws_lb_listener.grpc_listener',
        'aws_lb_target_group.grpc_target_group',
        'aws_vpc_security_group_egress_rule.alb_egress_targets_grpc',
        'aws_vpc_security_group_ingress_rule.alb_ingress_grpc_vpc',
        'aws_vpc_security_group_ingress_rule.instance_ingress_alb_grpc',
        'local.user_data',
        'output.grpc_endpoint',
      ]);
    });

    it('THEN it matches the reviewed snapshot', async () => {
      await expect(stableJson(on)).toMatchFileSnapshot('__snapshots__/aws-ec2-gpu-grpc.tf.json');
    });
  });
});

describe('azure-aks with runtime.grpc', () => {
  const spec = 'location: westeurope\napi_server_authorized_ip_ranges: [203.0.113.0/24]';
  const synth = (extra: string) =>
    synthesizeTargetStacks(
      synthesizeAzureAks,
      loadTestConfig(configText('azure-aks', spec, extra)),
    );
  const off = synth('');
  const on = synth(GRPC_ON);
  const workload = on.workload as TerraformDocument;

  it('THEN the Service has a second port to the container port, and the network policy admits it', () => {
    const service = resource(workload, 'kubernetes_service_v1', 'service') as {
      spec: { port: unknown[] };
    };
    expect(service.spec.port).toEqual([
      { name: 'http', port: 80, target_port: 'http', protocol: 'TCP' },
      { name: 'grpc', port: 3001, target_port: 'grpc', protocol: 'TCP' },
    ]);
    const deployment = resource(workload, 'kubernetes_deployment_v1', 'deployment') as {
      spec: { template: { spec: { container: { port: unknown[] }[] } } };
    };
    expect(deployment.spec.template.spec.container[0]?.port).toEqual([
      { name: 'http', container_port: 3000, protocol: 'TCP' },
      { name: 'grpc', container_port: 3001, protocol: 'TCP' },
    ]);
    const policy = resource(workload, 'kubernetes_network_policy_v1', 'network_policy') as {
      spec: { ingress: { ports: unknown[] }[] };
    };
    expect(policy.spec.ingress[0]?.ports).toEqual([
      { port: '3000', protocol: 'TCP' },
      { port: '3001', protocol: 'TCP' },
    ]);
    expect(workload.output?.grpc_endpoint?.value).toBe(
      '${kubernetes_service_v1.service.status[0].load_balancer[0].ingress[0].ip}:3001',
    );
  });

  it('THEN the cluster stack is the same, and only the workload, Service, policy and output differ', () => {
    expect(on.cluster).toEqual(off.cluster);
    expect(changedBlocks(off.workload as TerraformDocument, workload)).toEqual([
      'kubernetes_deployment_v1.deployment',
      'kubernetes_network_policy_v1.network_policy',
      'kubernetes_service_v1.service',
      'output.grpc_endpoint',
    ]);
  });

  it('THEN it matches the reviewed snapshot', async () => {
    await expect(stableJson(workload)).toMatchFileSnapshot(
      '__snapshots__/azure-aks-grpc-workload.tf.json',
    );
  });
});

describe('generate warnings with runtime.grpc', () => {
  const ecs = (spec: string, extra: string) =>
    awsEcs.warnings?.(
      loadTestConfig(configText('aws-ecs', `certificate_arn: ${CERTIFICATE}\n${spec}`, extra)),
    );
  const gpu = (spec: string) =>
    awsEc2Gpu.warnings?.(
      loadTestConfig(
        configText('aws-ec2-gpu', spec, 'runtime:\n  device: gpu\n  grpc: { enabled: true }\n'),
      ),
    );

  it('GIVEN aws-ecs scaling on requests THEN it says gRPC calls do not scale it; on cpu, or without gRPC, nothing', () => {
    expect(ecs('scaling_metric: requests', GRPC_ON)).toEqual([
      expect.stringContaining('gRPC calls go through the gRPC target group'),
    ]);
    expect(ecs('scaling_metric: cpu', GRPC_ON)).toEqual([]);
    expect(ecs('scaling_metric: requests', '')).toEqual([]);
  });

  it('GIVEN aws-ec2-gpu behind its load balancer THEN the same warning; a single instance has no scaling', () => {
    expect(gpu(`max_instances: 3\ncertificate_arn: ${CERTIFICATE}`)).toEqual([
      expect.stringContaining('set min_instances'),
    ]);
    expect(gpu('max_instances: 1')).toEqual([]);
  });
});

describe('validate with runtime.grpc', () => {
  it('GIVEN google-cloud-run THEN it is refused with the reason and the alternatives', () => {
    const failure = loadError(() =>
      loadTestConfig(configText('google-cloud-run', 'project: ml-project-123', GRPC_ON)),
    );
    expect(failure.code).toBe('CONFIG_INVALID');
    expect(failure.fields).toEqual(['runtime.grpc.enabled']);
    expect(failure.text).toContain('one container port');
    expect(failure.text).toContain('POST /v2/models/<model>/infer');
  });
});
