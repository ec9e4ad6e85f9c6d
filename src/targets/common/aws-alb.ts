/**
 * The Application Load Balancer in front of ECS tasks or EC2 instances: internet-facing in the
 * public subnets only when the spec says `public`, internal otherwise; open only on its listener
 * ports to the allowed CIDRs; HTTPS with an HTTP redirect when a certificate is given; with
 * gRPC on, an HTTPS listener on the gRPC port in front of a GRPC target group.
 */
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener/index.js';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group/index.js';
import { Lb } from '@cdktf/provider-aws/lib/lb/index.js';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import type { ITerraformIterator, TerraformStack } from 'cdktf';
import { errors } from '../../errors/index.js';
import { fitName } from './naming.js';
import { allowFromCidrs, allowToGroup, type CidrSource } from './aws-security-rules.js';
import { spansTwoZones, type AwsNetwork } from './aws-vpc.js';

/** ALB and target group names: at most 32 letters, digits and hyphens. */
const MAX_LB_NAME = 32;
/** TLS 1.3 with TLS 1.2 fallback: AWS's recommended policy for new listeners. */
export const SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';
/** The runtime's readiness endpoint: 200 once models are loaded, 503 while draining. */
export const READINESS_PATH = '/readyz';
/**
 * The gRPC target group's health check. An ALB reads only the gRPC status, and ServerReady
 * answers OK (0) whenever the gRPC service takes calls, which the runtime opens only once its
 * models are loaded and closes at SIGTERM (src/runtime/runtime.ts): OK means ready.
 */
export const GRPC_HEALTH_CHECK = {
  path: '/inference.GRPCInferenceService/ServerReady',
  matcher: '0',
} as const;

export interface AwsLoadBalancerProps {
  readonly name: string;
  readonly network: AwsNetwork;
  /** Internet-facing in the public subnets; otherwise internal in the private ones. */
  readonly public: boolean;
  /** Sources allowed to reach the listeners (see endpointSources). */
  readonly sources: readonly CidrSource[];
  /** @default - HTTP only */
  readonly certificateArn?: string | undefined;
  /** Port the runtime listens on. */
  readonly targetPort: number;
  /** `ip` for Fargate tasks, `instance` for EC2. */
  readonly targetType: 'ip' | 'instance';
  /** Security group of the targets; the ALB may send only to it, on targetPort. */
  readonly targetSecurityGroupId: string;
  /** How long in-flight requests may finish on a deregistered target. */
  readonly deregistrationDelaySeconds: number;
  /** Seconds between health checks; 3 failures in a row take a target out. */
  readonly healthCheckIntervalSeconds: number;
  /**
   * The runtime's gRPC port: an HTTPS listener on the same port forwards to a GRPC target
   * group (needs `certificateArn`). @default - no gRPC
   */
  readonly grpcPort?: number | undefined;
}

/** The gRPC side of the load balancer. */
export interface AwsGrpcListener {
  readonly listener: InstanceType<typeof LbListener>;
  /** `<dns name>:<port>`: what a gRPC client dials, with TLS. */
  readonly endpoint: string;
}

/** The gRPC side of a load balancer with one GRPC target group (`grpc_target_group`). */
export interface AwsGrpcTargetListener extends AwsGrpcListener {
  readonly targetGroup: InstanceType<typeof LbTargetGroup>;
}

/** The load balancer without a target group of its own (see addWeightedAwsLoadBalancer). */
export interface AwsWeightedLoadBalancer {
  readonly loadBalancer: InstanceType<typeof Lb>;
  readonly securityGroupId: string;
  /** The listener that forwards to the target group (services must wait for it). */
  readonly forwardingListener: InstanceType<typeof LbListener>;
  /** `http(s)://<dns name>` */
  readonly endpoint: string;
  /** Present when `grpcPort` was given. */
  readonly grpc?: AwsGrpcListener;
}

export interface AwsLoadBalancer extends AwsWeightedLoadBalancer {
  readonly targetGroup: InstanceType<typeof LbTargetGroup>;
  readonly grpc?: AwsGrpcTargetListener;
}

/** The load balancer with one target group (`target_group`) that takes every request. */
export function addAwsLoadBalancer(
  stack: TerraformStack,
  props: AwsLoadBalancerProps,
): AwsLoadBalancer {
  const targetGroup = addTargetGroup(stack, 'target_group', props);
  const balancer = addBalancerAndListeners(stack, props, {
    type: 'forward',
    targetGroupArn: targetGroup.arn,
  });
  const { grpcPort } = props;
  if (grpcPort === undefined) return { ...balancer, targetGroup };
  const grpcTargetGroup = addTargetGroup(
    stack,
    'grpc_target_group',
    { ...props, targetPort: grpcPort },
    { grpc: true },
  );
  const grpc = addGrpcListener(stack, props, balancer.loadBalancer, grpcPort, {
    type: 'forward',
    targetGroupArn: grpcTargetGroup.arn,
  });
  return { ...balancer, targetGroup, grpc: { ...grpc, targetGroup: grpcTargetGroup } };
}

/**
 * Target groups and weights as Terraform expressions, one `target_group` of the listener's
 * forward action per entry of `forEach` (its key and value are `each.key`, `each.value`).
 */
export interface WeightedTargets {
  /** A map expression, e.g. `${{ for entry in var.x : entry.name => entry }}`. */
  readonly forEach: string;
  readonly arn: string;
  /** 0-999; a group with weight 0 gets no request. */
  readonly weight: string;
}

/**
 * The load balancer whose listener splits the requests across target groups the caller made,
 * by weight (aws-ec2-gpu's canary and blue-green: one group of instances per revision); with
 * `grpcPort`, its gRPC listener splits the calls across the caller's GRPC target groups too.
 */
export function addWeightedAwsLoadBalancer(
  stack: TerraformStack,
  props: AwsLoadBalancerProps,
  targets: WeightedTargets,
  /** The GRPC target groups and their weights; required with `grpcPort`. */
  grpcTargets?: WeightedTargets,
): AwsWeightedLoadBalancer {
  const balancer = addBalancerAndListeners(stack, props, { type: 'forward' });
  forwardByWeight(balancer.forwardingListener, targets);
  const { grpcPort } = props;
  if (grpcPort === undefined) return balancer;
  if (grpcTargets === undefined) {
    throw errors.internal('a weighted load balancer with a gRPC port needs its GRPC targets');
  }
  const grpc = addGrpcListener(stack, props, balancer.loadBalancer, grpcPort, {
    type: 'forward',
  });
  forwardByWeight(grpc.listener, grpcTargets);
  return { ...balancer, grpc };
}

/** A listener's forward action across `targets`, by weight. */
function forwardByWeight(listener: InstanceType<typeof LbListener>, targets: WeightedTargets) {
  // cdktf renders dynamic blocks only at a resource's top level, and these sit in
  // default_action.forward: written as Terraform JSON here.
  listener.addOverride('default_action.0.forward', [
    {
      dynamic: {
        target_group: {
          for_each: targets.forEach,
          iterator: 'each',
          content: { arn: targets.arn, weight: targets.weight },
        },
      },
    },
  ]);
}

function addBalancerAndListeners(
  stack: TerraformStack,
  props: AwsLoadBalancerProps,
  forwardAction: { readonly type: 'forward'; readonly targetGroupArn?: string },
): Omit<AwsWeightedLoadBalancer, 'grpc'> {
  const https = props.certificateArn !== undefined;
  const securityGroup = new SecurityGroup(stack, 'alb_security_group', {
    name: `${props.name}-alb`,
    description: `Load balancer of ${props.name}: listener ports from the allowed CIDRs only`,
    vpcId: props.network.vpcId,
    tags: { Name: `${props.name}-alb` },
  });
  const listenerPorts = https ? [80, 443] : [80];
  for (const port of listenerPorts) {
    allowFromCidrs(
      stack,
      {
        id: `alb_ingress_${port}`,
        securityGroupId: securityGroup.id,
        port,
        description: `${port === 443 ? 'HTTPS' : 'HTTP'} from an allowed source`,
      },
      props.sources,
    );
  }
  allowToGroup(
    stack,
    {
      id: 'alb_egress_targets',
      securityGroupId: securityGroup.id,
      port: props.targetPort,
      description: 'To the targets on the serving port',
    },
    props.targetSecurityGroupId,
  );
  const { grpcPort } = props;
  if (grpcPort !== undefined) {
    allowFromCidrs(
      stack,
      {
        id: 'alb_ingress_grpc',
        securityGroupId: securityGroup.id,
        port: grpcPort,
        description: 'gRPC (TLS) from an allowed source',
      },
      props.sources,
    );
    allowToGroup(
      stack,
      {
        id: 'alb_egress_targets_grpc',
        securityGroupId: securityGroup.id,
        port: grpcPort,
        description: 'To the targets on the gRPC port',
      },
      props.targetSecurityGroupId,
    );
  }

  const tier = props.public ? 'public' : 'private';
  const loadBalancer = new Lb(stack, 'alb', {
    name: loadBalancerName(props.name),
    loadBalancerType: 'application',
    internal: !props.public,
    subnets: props.public ? props.network.publicSubnetIds : props.network.privateSubnetIds,
    ...(props.network.zonesMayRepeat
      ? {
          lifecycle: {
            precondition: [
              spansTwoZones(props.network, tier, `The load balancer's ${tier} subnets`),
            ],
          },
        }
      : {}),
    securityGroups: [securityGroup.id],
    dropInvalidHeaderFields: true,
    idleTimeout: 60,
    enableDeletionProtection: false,
  });

  const forward = [forwardAction];
  const httpListener = new LbListener(stack, 'http_listener', {
    loadBalancerArn: loadBalancer.arn,
    port: 80,
    protocol: 'HTTP',
    defaultAction: https
      ? [
          {
            type: 'redirect',
            redirect: { port: '443', protocol: 'HTTPS', statusCode: 'HTTP_301' },
          },
        ]
      : forward,
  });
  const forwardingListener = https
    ? new LbListener(stack, 'https_listener', {
        loadBalancerArn: loadBalancer.arn,
        port: 443,
        protocol: 'HTTPS',
        sslPolicy: SSL_POLICY,
        certificateArn: props.certificateArn,
        defaultAction: forward,
      })
    : httpListener;

  return {
    loadBalancer,
    securityGroupId: securityGroup.id,
    forwardingListener,
    endpoint: `${https ? 'https' : 'http'}://${loadBalancer.dnsName}`,
  };
}

function addGrpcListener(
  stack: TerraformStack,
  props: AwsLoadBalancerProps,
  loadBalancer: InstanceType<typeof Lb>,
  grpcPort: number,
  forwardAction: { readonly type: 'forward'; readonly targetGroupArn?: string },
): AwsGrpcListener {
  if (props.certificateArn === undefined) {
    throw errors.internal(
      'a gRPC listener needs certificate_arn, which validate requires (checkGrpcCertificate)',
    );
  }
  const listener = new LbListener(stack, 'grpc_listener', {
    loadBalancerArn: loadBalancer.arn,
    port: grpcPort,
    protocol: 'HTTPS',
    sslPolicy: SSL_POLICY,
    certificateArn: props.certificateArn,
    defaultAction: [forwardAction],
  });
  return { listener, endpoint: `${loadBalancer.dnsName}:${grpcPort}` };
}

/**
 * A target group for the runtime, health-checked on /readyz (its gRPC port: on ServerReady).
 * aws-ecs's canary and blue-green add a second one (`alternate_target_group`) with the same
 * settings for ECS to swap with.
 */
export function addTargetGroup(
  stack: TerraformStack,
  id: string,
  props: Pick<
    AwsLoadBalancerProps,
    | 'name'
    | 'network'
    | 'targetPort'
    | 'targetType'
    | 'deregistrationDelaySeconds'
    | 'healthCheckIntervalSeconds'
  >,
  variant: {
    /** One group per key (aws-ec2-gpu: per revision). @default - one group */
    readonly forEach?: ITerraformIterator;
    /** The runtime's gRPC port: HTTP/2 GRPC, checked with ServerReady. @default - HTTP, /readyz */
    readonly grpc?: true;
  } = {},
): InstanceType<typeof LbTargetGroup> {
  const { forEach, grpc } = variant;
  return new LbTargetGroup(stack, id, {
    ...(forEach === undefined ? {} : { forEach }),
    // A change of port, target type or VPC replaces the group, created before the old one
    // (still referenced by the listener) is destroyed: a fixed name would collide with itself.
    namePrefix: targetGroupNamePrefix(props.name),
    port: props.targetPort,
    protocol: 'HTTP',
    ...(grpc === true ? { protocolVersion: 'GRPC' } : {}),
    targetType: props.targetType,
    vpcId: props.network.vpcId,
    deregistrationDelay: String(props.deregistrationDelaySeconds),
    healthCheck: healthCheck(
      grpc === true ? GRPC_HEALTH_CHECK : { path: READINESS_PATH, matcher: '200' },
      props.healthCheckIntervalSeconds,
    ),
    lifecycle: { createBeforeDestroy: true },
  });
}

/** AWS refuses ALB names that start with `internal-` (it uses the prefix for internal ALBs). */
export function loadBalancerName(deployment: string): string {
  const name = deployment.startsWith('internal-') ? `lb-${deployment}` : deployment;
  return fitName(name, MAX_LB_NAME);
}

/** AWS allows a target group name_prefix of at most 6 characters; the rest is random. */
const MAX_TARGET_GROUP_PREFIX = 6;

/** `iris-prod` gives `iris-`: the deployment's start, recognisable in the console. */
export function targetGroupNamePrefix(deployment: string): string {
  return `${deployment.slice(0, MAX_TARGET_GROUP_PREFIX - 1).replace(/-+$/, '')}-`;
}

/**
 * A target group's health check on the target's own port: 3 failures in a row (5 s each) take a
 * target out, 2 passes bring it back.
 */
function healthCheck(
  check: { readonly path: string; readonly matcher: string },
  intervalSeconds: number,
) {
  return {
    enabled: true,
    path: check.path,
    matcher: check.matcher,
    protocol: 'HTTP',
    port: 'traffic-port',
    interval: intervalSeconds,
    timeout: 5,
    healthyThreshold: 2,
    unhealthyThreshold: 3,
  };
}
