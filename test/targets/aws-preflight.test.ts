import { describe, expect, it } from 'vitest';
import { BentoctlError } from '../../src/errors/index.js';
import { configText, loadTestConfig } from './target-synth-harness.js';

const GPU = 'runtime:\n  device: gpu\n';
const CERT_WEST =
  'arn:aws:acm:us-west-2:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789012';

interface InvalidSpec {
  readonly name: string;
  readonly target: 'aws-ecs' | 'aws-ec2-gpu';
  readonly spec: string;
  readonly extra?: string;
  /** The deployment name. @default iris-prod */
  readonly name_?: string;
  readonly field: string;
  readonly mentions: string;
}

const INVALID: readonly InvalidSpec[] = [
  {
    name: 'Fargate memory not offered for the cpu',
    target: 'aws-ecs',
    spec: 'cpu: 256\nmemory: 4096',
    field: 'spec.memory',
    mentions: 'Fargate does not offer 4096 MiB',
  },
  {
    name: 'cpu size Fargate lacks',
    target: 'aws-ecs',
    spec: 'cpu: 3000',
    field: 'spec.cpu',
    mentions: '1024',
  },
  {
    name: 'CPU scaling target above 100%',
    target: 'aws-ecs',
    spec: 'scaling_target: 150',
    field: 'spec.scaling_target',
    mentions: 'cannot exceed 100',
  },
  {
    name: 'certificate from another region',
    target: 'aws-ecs',
    spec: `region: us-east-1\ncertificate_arn: ${CERT_WEST}`,
    field: 'spec.certificate_arn',
    mentions: 'in us-west-2 but the load balancer is in us-east-1',
  },
  {
    name: 'VPC CIDR too small to split',
    target: 'aws-ecs',
    spec: 'vpc_cidr: 10.0.0.0/26',
    field: 'spec.vpc_cidr',
    mentions: 'from /16 to /24',
  },
  {
    name: 'IPv6 VPC CIDR',
    target: 'aws-ecs',
    spec: 'vpc_cidr: 2001:db8::/56',
    field: 'spec.vpc_cidr',
    mentions: 'IPv4',
  },
  {
    name: 'min above max',
    target: 'aws-ecs',
    spec: 'min_instances: 5\nmax_instances: 2',
    field: 'spec.min_instances',
    mentions: 'larger than max_instances',
  },
  {
    name: 'malformed allowed CIDR',
    target: 'aws-ecs',
    spec: 'allowed_cidrs: [10.0.0.0]',
    field: 'spec.allowed_cidrs[0]',
    mentions: 'CIDR',
  },
  {
    name: 'public endpoint nobody may reach',
    target: 'aws-ecs',
    spec: 'public: true',
    field: 'spec.allowed_cidrs',
    mentions: 'nobody could reach',
  },
  {
    name: 'GPU runtime on Fargate',
    target: 'aws-ecs',
    spec: 'region: us-east-1',
    extra: GPU,
    field: 'spec',
    mentions: 'Fargate has no GPUs',
  },
  {
    name: 'subnets of one AZ only',
    target: 'aws-ecs',
    spec: 'vpc_id: vpc-0123456789abcdef0\npublic_subnet_ids: [subnet-0aaaaaaaaaaaaaaa1]\nprivate_subnet_ids: [subnet-0bbbbbbbbbbbbbbb1, subnet-0bbbbbbbbbbbbbbb2]',
    field: 'spec.public_subnet_ids',
    mentions: 'at least 2 subnets',
  },
  {
    name: 'unknown region',
    target: 'aws-ecs',
    spec: 'region: us-east-9',
    field: 'spec.region',
    mentions: 'us-east-1',
  },
  {
    name: 'ECS scaled to zero (target tracking would never start a task again)',
    target: 'aws-ecs',
    spec: 'min_instances: 0',
    field: 'spec.min_instances',
    mentions: 'must be at least 1',
  },
  {
    name: 'IPv6 client block on the IPv4-only load balancer',
    target: 'aws-ecs',
    spec: 'public: true\nallowed_cidrs: [203.0.113.0/24, 2001:db8::/32]',
    field: 'spec.allowed_cidrs[1]',
    mentions: 'IPv4-only',
  },
  {
    name: 'a name that makes security group names start with sg-',
    target: 'aws-ecs',
    spec: 'region: us-east-1',
    name_: 'sg-iris',
    field: 'name',
    mentions: 'sg-',
  },
  {
    name: 'a bearer token over plain HTTP on a public load balancer',
    target: 'aws-ecs',
    spec: 'public: true\nallowed_cidrs: [0.0.0.0/0]',
    extra:
      'runtime:\n  auth: { mode: bearer, secret: "arn:aws:ssm:us-east-1:123456789012:parameter/t" }\n',
    field: 'spec.certificate_arn',
    mentions: 'plain HTTP',
  },
  {
    name: 'a KMS alias instead of a key',
    target: 'aws-ecs',
    spec: 'secrets_kms_key_arns: [arn:aws:kms:us-east-1:123456789012:alias/secrets]',
    field: 'spec.secrets_kms_key_arns[0]',
    mentions: 'not an alias',
  },
  {
    name: 'a bearer token over plain HTTP on a public single instance',
    target: 'aws-ec2-gpu',
    spec: 'public: true\nallowed_cidrs: [0.0.0.0/0]',
    extra:
      'runtime:\n  device: gpu\n  auth: { mode: bearer, secret: "arn:aws:ssm:us-east-1:123456789012:parameter/t" }\n',
    field: 'spec.certificate_arn',
    mentions: 'max_instances > 1',
  },
  {
    name: 'an IPv6 SSH block',
    target: 'aws-ec2-gpu',
    spec: 'key_name: ops\nssh_cidr: 2001:db8::/64',
    extra: GPU,
    field: 'spec.ssh_cidr',
    mentions: 'IPv4-only',
  },
  {
    name: 'an image repository outside ECR without pull credentials',
    target: 'aws-ecs',
    spec: 'region: us-east-1',
    extra: 'image:\n  repository: ghcr.io/acme/iris\n',
    field: 'image.repository',
    mentions: 'spec.image_pull_secret',
  },
  {
    name: 'CPU instance type',
    target: 'aws-ec2-gpu',
    spec: 'instance_type: m5.large',
    extra: GPU,
    field: 'spec.instance_type',
    mentions: 'not an NVIDIA GPU',
  },
  {
    name: 'certificate without a load balancer',
    target: 'aws-ec2-gpu',
    spec: 'certificate_arn: arn:aws:acm:us-east-1:123456789012:certificate/abc',
    extra: GPU,
    field: 'spec.certificate_arn',
    mentions: 'max_instances > 1',
  },
  {
    name: 'SSH CIDR without key',
    target: 'aws-ec2-gpu',
    spec: 'ssh_cidr: 198.51.100.7/32',
    extra: GPU,
    field: 'spec.key_name',
    mentions: 'SSH needs both',
  },
  {
    name: 'root volume below the DLAMI size',
    target: 'aws-ec2-gpu',
    spec: 'root_volume_gib: 20',
    extra: GPU,
    field: 'spec.root_volume_gib',
    mentions: '30',
  },
  {
    name: 'more than 100 instances',
    target: 'aws-ec2-gpu',
    spec: 'max_instances: 101',
    extra: GPU,
    field: 'spec.max_instances',
    mentions: '100',
  },
  {
    name: 'privileged port',
    target: 'aws-ec2-gpu',
    spec: 'region: us-east-1',
    extra: 'runtime:\n  device: gpu\n  port: 80\n',
    field: 'runtime.port',
    mentions: '1024',
  },
];

describe('valid AWS image repositories', () => {
  it.each([
    ['ECR of another account and region', '210987654321.dkr.ecr.eu-west-1.amazonaws.com/iris', ''],
    ['ECR Public', 'public.ecr.aws/acme/iris', ''],
    [
      'a private registry with pull credentials',
      'ghcr.io/acme/iris',
      'image_pull_secret: arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr',
    ],
  ])('GIVEN %s WHEN loaded THEN it passes', (_name, repository, spec) => {
    expect(() =>
      loadTestConfig(configText('aws-ecs', spec, `image:\n  repository: ${repository}\n`)),
    ).not.toThrow();
  });
});

describe('invalid AWS specs', () => {
  it.each(INVALID)(
    'GIVEN $name WHEN loaded THEN $field is reported',
    ({ target, spec, extra, name_, field, mentions }) => {
      let caught: unknown;
      try {
        const text = configText(target, spec, extra);
        loadTestConfig(
          name_ !== undefined ? text.replace('name: iris-prod', `name: ${name_}`) : text,
        );
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(BentoctlError);
      const error = caught as BentoctlError;
      expect(error.code).toBe('CONFIG_INVALID');
      const diagnostic = error.diagnostics.find((d) => d.field === field);
      expect(diagnostic, JSON.stringify(error.diagnostics)).toBeDefined();
      expect(`${diagnostic?.message} ${diagnostic?.suggestion ?? ''}`).toContain(mentions);
      expect(diagnostic?.location.line).toBeGreaterThan(0);
    },
  );
});
