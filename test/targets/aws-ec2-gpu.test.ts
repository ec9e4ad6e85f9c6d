import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { awsEc2Gpu } from '../../src/targets/aws-ec2-gpu/definition.js';
import { outputsOf } from '../../src/targets/declare-outputs.js';
import { DLAMI_SSM_PARAMETER, synthesizeAwsEc2Gpu } from '../../src/targets/aws-ec2-gpu/stack.js';
import { imageReference } from '../../src/targets/image-reference.js';
import {
  expectStackSnapshot,
  DIGEST,
  configText,
  dataOf,
  ECR_IMAGE,
  loadTestConfig,
  resource,
  resourcesOf,
  synthesizeTarget,
  type TerraformDocument,
} from './target-synth-harness.js';

const synth = (text: string): TerraformDocument =>
  synthesizeTarget(synthesizeAwsEc2Gpu, loadTestConfig(text), ECR_IMAGE);

const GPU_RUNTIME = 'runtime:\n  device: gpu\n';
const SECRET_KEY = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:iris-db-AbCdEf:password::';

function userData(stack: TerraformDocument): string {
  return String((stack.locals as Record<string, unknown>).user_data);
}

function ingressRules(stack: TerraformDocument): Record<string, unknown>[] {
  return Object.values(resourcesOf(stack, 'aws_vpc_security_group_ingress_rule')).filter(
    (rule) => rule.security_group_id === '${aws_security_group.instance_security_group.id}',
  );
}

describe('aws-ec2-gpu stack', () => {
  describe('GIVEN one instance with the defaults (private, DLAMI, no SSH)', () => {
    let stack: TerraformDocument;
    beforeAll(() => {
      stack = synth(
        configText(
          'aws-ec2-gpu',
          'region: us-east-1',
          `${GPU_RUNTIME}secrets:\n  DB_PASSWORD: "${SECRET_KEY}"\n`,
        ),
      );
    });

    it('THEN it boots the Deep Learning Base GPU AMI from SSM on a GPU instance in a private subnet', () => {
      expect(dataOf(stack, 'aws_ssm_parameter', 'dlami')).toEqual({ name: DLAMI_SSM_PARAMETER });
      expect(resource(stack, 'aws_instance', 'instance')).toMatchObject({
        ami: '${data.aws_ssm_parameter.dlami.insecure_value}',
        instance_type: 'g5.xlarge',
        subnet_id: '${aws_subnet.private_subnet_a.id}',
        associate_public_ip_address: false,
        user_data_replace_on_change: true,
      });
      expect(resourcesOf(stack, 'aws_autoscaling_group')).toEqual({});
      expect(resourcesOf(stack, 'aws_lb')).toEqual({});
    });

    it('THEN the root volume is encrypted gp3 and instance metadata needs IMDSv2 with one hop', () => {
      expect(resource(stack, 'aws_instance', 'instance')).toMatchObject({
        root_block_device: { encrypted: true, volume_type: 'gp3', volume_size: 100 },
        metadata_options: { http_tokens: 'required', http_put_response_hop_limit: 1 },
      });
    });

    it('THEN only the serving port is open, from the VPC, and there is no SSH and no key pair', () => {
      expect(ingressRules(stack)).toEqual([
        expect.objectContaining({ from_port: 3000, to_port: 3000, cidr_ipv4: '10.0.0.0/16' }),
      ]);
      expect(resource(stack, 'aws_instance', 'instance')?.key_name).toBeUndefined();
      expect(
        resource(stack, 'aws_vpc_security_group_egress_rule', 'instance_egress_https'),
      ).toMatchObject({
        from_port: 443,
        to_port: 443,
      });
    });

    it('THEN the instance role has Session Manager without parameter reads, ECR pull of this repository, its logs and the secret only', () => {
      expect(resourcesOf(stack, 'aws_iam_role_policy_attachment')).toEqual({});
      const session = JSON.parse(
        String(resource(stack, 'aws_iam_role_policy', 'instance_role_ssm')?.policy),
      );
      const sessionActions: string[] = session.Statement.flatMap(
        (statement: { Action: string[] }) => statement.Action,
      );
      expect(sessionActions).toContain('ssmmessages:OpenDataChannel');
      expect(sessionActions.filter((action) => action.startsWith('ssm:'))).toEqual([
        'ssm:UpdateInstanceInformation',
      ]);
      const policy = JSON.parse(
        String(resource(stack, 'aws_iam_role_policy', 'instance_role_policy')?.policy),
      );
      expect(
        policy.Statement.flatMap((statement: { Action: string[] }) => statement.Action),
      ).toEqual([
        'ecr:GetAuthorizationToken',
        'ecr:BatchCheckLayerAvailability',
        'ecr:BatchGetImage',
        'ecr:GetDownloadUrlForLayer',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'secretsmanager:GetSecretValue',
      ]);
      expect(policy.Statement.at(-1).Resource).toEqual([
        'arn:aws:secretsmanager:us-east-1:123456789012:secret:iris-db-AbCdEf',
      ]);
    });

    it('THEN cloud-init logs in to ECR, pulls by digest and runs with every GPU, restarting on failure and reboot', () => {
      const script = userData(stack);
      expect(script).toContain(
        'aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com',
      );
      expect(script).toContain(
        `docker pull '123456789012.dkr.ecr.us-east-1.amazonaws.com/iris-prod@${DIGEST}'`,
      );
      expect(script).toMatch(
        /--gpus all \\\n\s+--restart unless-stopped \\\n\s+--publish 3000:3000/,
      );
      expect(script).toContain("--env 'BENTOCTL_DEVICE=gpu'");
      expect(script).toContain('--read-only');
      expect(script).toContain('--cap-drop ALL');
      expect(script).toContain('--security-opt no-new-privileges');
      // The secret is fetched at boot (the JSON key picked out), never written into user data.
      expect(script).toMatch(
        /DB_PASSWORD="\$\(retry sh -c 'aws secretsmanager get-secret-value --secret-id '\\''arn:aws:secretsmanager:us-east-1:123456789012:secret:iris-db-AbCdEf'\\''/,
      );
      expect(script).toContain('json.load(sys.stdin)["password"]');
      expect(script).toContain('--env DB_PASSWORD \\');
      expect(script).not.toMatch(/\$\{|%\{/);
    });

    it('THEN the boot script parses as bash', () => {
      const check = spawnSync('bash', ['-n'], {
        input: userData(stack),
        encoding: 'utf8',
        timeout: 10_000,
      });
      expect(check.stderr).toBe('');
      expect(check.status).toBe(0);
    });

    it('THEN the instance is replaced create-before-destroy, ignores DLAMI releases and checks its root volume against the AMI', () => {
      const lifecycle = resource(stack, 'aws_instance', 'instance')?.lifecycle as {
        precondition: { condition: string; error_message: string }[];
      };
      expect(lifecycle).toMatchObject({ create_before_destroy: true, ignore_changes: ['ami'] });
      expect(lifecycle.precondition).toEqual([
        {
          condition: expect.stringMatching(
            /^\$\{100 >= coalesce\(one\(\[for device in data\.aws_ami\.ami\.block_device_mappings : .*volume_size.* if device\.device_name == data\.aws_ami\.ami\.root_device_name\]\), 0\)\}$/,
          ),
          error_message: expect.stringContaining('spec.root_volume_gib (100)'),
        },
      ]);
      expect(dataOf(stack, 'aws_ami', 'ami')).toEqual({
        filter: [{ name: 'image-id', values: ['${data.aws_ssm_parameter.dlami.insecure_value}'] }],
      });
    });

    it('THEN the new VPC is built in zones that offer the instance type', () => {
      expect(dataOf(stack, 'aws_ec2_instance_type_offerings', 'instance_type_zones')).toEqual({
        location_type: 'availability-zone',
        filter: [{ name: 'instance-type', values: ['g5.xlarge'] }],
      });
      expect((stack.locals as Record<string, unknown>).offered_zones).toBe(
        '${sort(setintersection(data.aws_availability_zones.availability_zones.names, data.aws_ec2_instance_type_offerings.instance_type_zones.locations))}',
      );
      expect(resource(stack, 'aws_subnet', 'private_subnet_a')?.availability_zone).toBe(
        '${element(local.offered_zones, 0)}',
      );
      expect(resource(stack, 'aws_subnet', 'public_subnet_a')?.lifecycle).toEqual({
        precondition: [
          {
            condition: '${(length(local.offered_zones) >= 1)}',
            error_message: expect.stringContaining('offers the instance type'),
          },
        ],
      });
    });

    it('THEN the endpoint is the private address and the outputs match the definition', () => {
      expect(Object.keys(stack.output ?? {}).sort()).toEqual(
        outputsOf(awsEc2Gpu.outputs, {
          runtime: { grpc: { enabled: false } },
          release: { strategy: 'rolling' },
        })
          .map((output) => output.name)
          .sort(),
      );
      expect((stack.output as Record<string, { value: string }>).endpoint?.value).toBe(
        'http://${aws_instance.instance.private_ip}:3000',
      );
    });
  });

  describe('GIVEN a public instance with SSH and a pinned AMI', () => {
    let stack: TerraformDocument;
    beforeAll(() => {
      stack = synth(
        configText(
          'aws-ec2-gpu',
          `region: us-east-1
public: true
allowed_cidrs: [198.51.100.0/24]
ami_id: ami-0123456789abcdef0
key_name: ops
ssh_cidr: 198.51.100.7/32`,
          GPU_RUNTIME,
        ),
      );
    });

    it('THEN it uses the AMI as given and a fixed public address as the endpoint', () => {
      expect(dataOf(stack, 'aws_ssm_parameter', 'dlami')).toBeUndefined();
      expect(resource(stack, 'aws_instance', 'instance')).toMatchObject({
        ami: 'ami-0123456789abcdef0',
        subnet_id: '${aws_subnet.public_subnet_a.id}',
        key_name: 'ops',
      });
      // A pinned AMI is followed: changing ami_id replaces the instance.
      expect(resource(stack, 'aws_instance', 'instance')?.lifecycle).not.toHaveProperty(
        'ignore_changes',
      );
      expect(resource(stack, 'aws_eip', 'instance_eip')).toMatchObject({
        instance: '${aws_instance.instance.id}',
      });
      expect((stack.output as Record<string, { value: string }>).endpoint?.value).toBe(
        'http://${aws_eip.instance_eip.public_ip}:3000',
      );
    });

    it('THEN SSH opens to the SSH CIDR only and serving to the allowed CIDRs and the VPC', () => {
      const rules = ingressRules(stack).map((rule) => `${rule.from_port} ${rule.cidr_ipv4}`);
      expect(rules.sort()).toEqual([
        '22 198.51.100.7/32',
        '3000 10.0.0.0/16',
        '3000 198.51.100.0/24',
      ]);
    });
  });

  describe('GIVEN max_instances 3 (Auto Scaling group behind an ALB)', () => {
    let stack: TerraformDocument;
    beforeAll(() => {
      stack = synth(
        configText(
          'aws-ec2-gpu',
          'region: us-east-1\nmin_instances: 2\nmax_instances: 3',
          GPU_RUNTIME,
        ),
      );
    });

    it('THEN a launch template and an ASG in the private subnets replace the single instance', () => {
      expect(resourcesOf(stack, 'aws_instance')).toEqual({});
      expect(resource(stack, 'aws_launch_template', 'launch_template')).toMatchObject({
        user_data: '${base64encode(local.user_data)}',
        metadata_options: { http_tokens: 'required' },
        block_device_mappings: [
          {
            device_name: '${data.aws_ami.ami.root_device_name}',
            ebs: { encrypted: 'true', volume_type: 'gp3' },
          },
        ],
      });
      expect(resource(stack, 'aws_autoscaling_group', 'autoscaling_group')).toMatchObject({
        min_size: 2,
        max_size: 3,
        health_check_type: 'ELB',
        vpc_zone_identifier: [
          '${aws_subnet.private_subnet_a.id}',
          '${aws_subnet.private_subnet_b.id}',
        ],
        target_group_arns: ['${aws_lb_target_group.target_group.arn}'],
        instance_refresh: { strategy: 'Rolling' },
      });
    });

    it('THEN an instance refresh launches before it terminates, skips matching instances and rolls back on failure', () => {
      expect(
        resource(stack, 'aws_autoscaling_group', 'autoscaling_group')?.instance_refresh,
      ).toEqual({
        strategy: 'Rolling',
        preferences: {
          min_healthy_percentage: 100,
          max_healthy_percentage: 200,
          skip_matching: true,
          auto_rollback: true,
          instance_warmup: '900',
        },
      });
    });

    it('THEN a new DLAMI release does not roll the fleet, and the root volume is checked against the AMI', () => {
      expect(resource(stack, 'aws_launch_template', 'launch_template')?.lifecycle).toMatchObject({
        ignore_changes: ['image_id'],
        precondition: [{ error_message: expect.stringContaining('root_volume_gib') }],
      });
    });

    it('THEN plan fails when the instance type is offered in fewer than two zones for the ALB', () => {
      expect(resource(stack, 'aws_lb', 'alb')?.lifecycle).toEqual({
        precondition: [
          {
            condition:
              '${(length(distinct([element(local.offered_zones, 0), element(local.offered_zones, 1)])) >= 2)}',
            error_message: expect.stringContaining('offered in fewer than 2 zones'),
          },
        ],
      });
    });

    it('THEN instances take traffic from the ALB only, which checks /readyz on instance targets', () => {
      expect(ingressRules(stack)).toEqual([
        expect.objectContaining({
          from_port: 3000,
          referenced_security_group_id: '${aws_security_group.alb_security_group.id}',
        }),
      ]);
      expect(resource(stack, 'aws_lb_target_group', 'target_group')).toMatchObject({
        target_type: 'instance',
        health_check: { path: '/readyz' },
      });
      expect(resource(stack, 'aws_lb', 'alb')?.internal).toBe(true);
    });

    it('THEN instances launched by the group carry the deployment tags', () => {
      const template = resource(stack, 'aws_launch_template', 'launch_template');
      expect(template?.tag_specifications).toEqual([
        {
          resource_type: 'instance',
          tags: expect.objectContaining({
            deployment: 'iris-prod',
            'bento-version': '0123456789abcdef',
          }),
        },
        { resource_type: 'volume', tags: expect.objectContaining({ deployment: 'iris-prod' }) },
      ]);
    });

    it('THEN it matches the reviewed snapshot', async () => {
      await expectStackSnapshot('aws-ec2-gpu', stack);
    });
  });

  describe('GIVEN an existing VPC and a pinned AMI', () => {
    let stack: TerraformDocument;
    beforeAll(() => {
      stack = synth(
        configText(
          'aws-ec2-gpu',
          `ami_id: ami-0123456789abcdef0
vpc_id: vpc-0123456789abcdef0
public_subnet_ids: [subnet-0aaaaaaaaaaaaaaa1, subnet-0aaaaaaaaaaaaaaa2]
private_subnet_ids: [subnet-0bbbbbbbbbbbbbbb1, subnet-0bbbbbbbbbbbbbbb2]`,
          GPU_RUNTIME,
        ),
      );
    });

    it('THEN the instance lands in the first private subnet whose zone offers the type, or plan fails', () => {
      const offered = 'data.aws_ec2_instance_type_offerings.instance_type_zones.locations';
      const instance = resource(stack, 'aws_instance', 'instance');
      expect(instance?.subnet_id).toBe(
        `\${element(compact([contains(${offered}, data.aws_subnet.private_subnet_1.availability_zone) ? "subnet-0bbbbbbbbbbbbbbb1" : "", contains(${offered}, data.aws_subnet.private_subnet_2.availability_zone) ? "subnet-0bbbbbbbbbbbbbbb2" : ""]), 0)}`,
      );
      const lifecycle = instance?.lifecycle as { precondition: { error_message: string }[] };
      expect(lifecycle.precondition.map((check) => check.error_message)).toEqual([
        expect.stringContaining('root_volume_gib'),
        'None of spec.private_subnet_ids is in an availability zone that offers g5.xlarge; add a subnet of an offering zone, or pick another instance_type.',
        expect.stringMatching(/^Every private subnet \(spec.private_subnet_ids\) must reach ECR/),
      ]);
      expect(lifecycle).not.toHaveProperty('ignore_changes');
    });
  });

  it('GIVEN an image in another registry with pull credentials THEN the boot script logs in with them for the pull only', () => {
    const secret = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr-AbCdEf';
    const stack = synthesizeTarget(
      synthesizeAwsEc2Gpu,
      loadTestConfig(configText('aws-ec2-gpu', `image_pull_secret: ${secret}`, GPU_RUNTIME)),
      imageReference('ghcr.io/acme/iris', DIGEST),
    );
    const script = userData(stack);
    expect(script).not.toContain('aws ecr get-login-password');
    expect(script).toContain(`--secret-id '${secret}'`);
    expect(script).toMatch(/docker login --username "\$\(.*\)" --password-stdin 'ghcr.io'/);
    expect(script.indexOf('retry registry_login')).toBeLessThan(script.indexOf('docker pull'));
    expect(script).toContain("docker logout 'ghcr.io'");
    expect(script).not.toMatch(/\$\{|%\{/);
    const check = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8', timeout: 10_000 });
    expect(check.status, check.stderr).toBe(0);
  });
});
