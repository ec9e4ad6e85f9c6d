import { beforeAll, describe, expect, it } from 'vitest';
import { awsEcs } from '../../src/targets/aws-ecs/definition.js';
import { outputsOf } from '../../src/targets/declare-outputs.js';
import { synthesizeAwsEcs } from '../../src/targets/aws-ecs/stack.js';
import { imageReference } from '../../src/targets/image-reference.js';
import { stableJson } from '../../src/targets/stable-json.js';
import { synthesizeStackWith } from '../../src/targets/synth-stack.js';
import { APPROVAL_HOOK_SOURCE } from '../../src/targets/aws-ecs/approval-hook-source.js';
import { createHash } from 'node:crypto';
import { strToU8, unzipSync } from 'fflate';
import {
  expectStackSnapshot,
  configText,
  dataOf,
  DIGEST,
  ECR_IMAGE,
  loadTestConfig,
  resource,
  resourcesOf,
  stackInput,
  synthesizeTarget,
  type TerraformDocument,
} from './target-synth-harness.js';

const synth = (text: string): TerraformDocument =>
  synthesizeTarget(synthesizeAwsEcs, loadTestConfig(text), ECR_IMAGE);

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:iris-db-AbCdEf';
const TOKEN = 'arn:aws:ssm:us-east-1:123456789012:parameter/iris/token';
const CERTIFICATE =
  'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789012';

function policy(stack: TerraformDocument, name: string): { Statement: Record<string, unknown>[] } {
  return JSON.parse(String(resource(stack, 'aws_iam_role_policy', name)?.policy));
}

function container(stack: TerraformDocument): Record<string, unknown> {
  const definitions = resource(stack, 'aws_ecs_task_definition', 'task_definition');
  const [first] = JSON.parse(String(definitions?.container_definitions)) as Record<
    string,
    unknown
  >[];
  return first ?? {};
}

describe('aws-ecs stack', () => {
  describe('GIVEN the default spec (new VPC, internal ALB, CPU scaling)', () => {
    let stack: TerraformDocument;
    beforeAll(() => {
      stack = synth(
        configText('aws-ecs', 'region: us-east-1', `secrets:\n  DB_PASSWORD: ${SECRET}\n`),
      );
    });

    it('THEN it creates a VPC with public and private subnets in 2 AZs and a NAT gateway per AZ', () => {
      expect(resource(stack, 'aws_vpc', 'vpc')).toMatchObject({ cidr_block: '10.0.0.0/16' });
      const subnets = resourcesOf(stack, 'aws_subnet');
      expect(Object.keys(subnets).sort()).toEqual([
        'private_subnet_a',
        'private_subnet_b',
        'public_subnet_a',
        'public_subnet_b',
      ]);
      expect(subnets.private_subnet_a?.availability_zone).not.toBe(
        subnets.private_subnet_b?.availability_zone,
      );
      expect(Object.keys(resourcesOf(stack, 'aws_nat_gateway'))).toHaveLength(2);
      expect(resource(stack, 'aws_route', 'private_default_route_b')).toMatchObject({
        nat_gateway_id: '${aws_nat_gateway.nat_gateway_b.id}',
      });
    });

    it('THEN the cluster has container insights and the service rolls back failed deployments, failing the apply', () => {
      expect(resource(stack, 'aws_ecs_cluster', 'cluster')?.setting).toEqual([
        { name: 'containerInsights', value: 'enabled' },
      ]);
      expect(resource(stack, 'aws_ecs_service', 'service')).toMatchObject({
        launch_type: 'FARGATE',
        deployment_circuit_breaker: { enable: true, rollback: true },
        // terraform apply waits for the rollout, so a circuit-breaker rollback is a failure.
        wait_for_steady_state: true,
        enable_execute_command: false,
        network_configuration: {
          assign_public_ip: false,
          subnets: ['${aws_subnet.private_subnet_a.id}', '${aws_subnet.private_subnet_b.id}'],
        },
        depends_on: ['aws_lb_listener.http_listener', 'aws_iam_role_policy.execution_role_policy'],
        health_check_grace_period_seconds: 60,
      });
    });

    it('THEN the container runs the image by digest, read-only with a writable /tmp, secrets injected', () => {
      const definition = container(stack);
      expect(definition.image).toMatch(/@sha256:[0-9a-f]{64}$/);
      expect(definition.readonlyRootFilesystem).toBe(true);
      expect(definition.mountPoints).toEqual([
        { containerPath: '/tmp', readOnly: false, sourceVolume: 'tmp' },
      ]);
      expect(definition.secrets).toEqual([{ name: 'DB_PASSWORD', valueFrom: SECRET }]);
      expect(definition.environment).toContainEqual({ name: 'PORT', value: '3000' });
      // The runtime reports this digest, so apply can tell the new revision from the old one.
      expect(definition.environment).toContainEqual({
        name: 'BENTOCTL_IMAGE_DIGEST',
        value: String(definition.image).split('@')[1],
      });
      expect(definition.stopTimeout).toBe(120);
      expect(resource(stack, 'aws_cloudwatch_log_group', 'log_group')).toMatchObject({
        retention_in_days: 30,
      });
    });

    it('THEN the ALB is internal, in the private subnets, checks /readyz and is reachable from the VPC only', () => {
      expect(resource(stack, 'aws_lb', 'alb')).toMatchObject({
        internal: true,
        subnets: ['${aws_subnet.private_subnet_a.id}', '${aws_subnet.private_subnet_b.id}'],
        drop_invalid_header_fields: true,
      });
      expect(resource(stack, 'aws_lb_target_group', 'target_group')).toMatchObject({
        target_type: 'ip',
        port: 3000,
        health_check: { path: '/readyz', matcher: '200' },
      });
      const ingress = resourcesOf(stack, 'aws_vpc_security_group_ingress_rule');
      expect(ingress).toEqual({
        alb_ingress_80_vpc: expect.objectContaining({
          cidr_ipv4: '10.0.0.0/16',
          from_port: 80,
          to_port: 80,
          security_group_id: '${aws_security_group.alb_security_group.id}',
        }),
        task_ingress_alb: expect.objectContaining({
          from_port: 3000,
          to_port: 3000,
          referenced_security_group_id: '${aws_security_group.alb_security_group.id}',
          security_group_id: '${aws_security_group.task_security_group.id}',
        }),
      });
    });

    it('THEN egress is narrow: the ALB only to the tasks, the tasks only HTTPS out', () => {
      expect(resourcesOf(stack, 'aws_vpc_security_group_egress_rule')).toEqual({
        alb_egress_targets: expect.objectContaining({
          from_port: 3000,
          referenced_security_group_id: '${aws_security_group.task_security_group.id}',
        }),
        task_egress_https: expect.objectContaining({ from_port: 443, to_port: 443 }),
      });
    });

    it('THEN the execution role may only pull this image, write its logs and read the listed secret', () => {
      const statements = policy(stack, 'execution_role_policy').Statement;
      expect(statements.map((statement) => [statement.Action, statement.Resource])).toEqual([
        [['ecr:GetAuthorizationToken'], '*'],
        [
          ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          ['arn:aws:ecr:us-east-1:123456789012:repository/iris-prod'],
        ],
        [
          ['logs:CreateLogStream', 'logs:PutLogEvents'],
          ['${aws_cloudwatch_log_group.log_group.arn}:*'],
        ],
        [['secretsmanager:GetSecretValue'], [SECRET]],
      ]);
    });

    it('THEN the task role is separate and has no permissions', () => {
      expect(resource(stack, 'aws_iam_role', 'task_role')).toBeDefined();
      const policies = resourcesOf(stack, 'aws_iam_role_policy');
      expect(Object.keys(policies)).toEqual(['execution_role_policy']);
      expect(resourcesOf(stack, 'aws_iam_role_policy_attachment')).toEqual({});
      const trust = JSON.parse(
        String(resource(stack, 'aws_iam_role', 'task_role')?.assume_role_policy),
      );
      expect(trust.Statement[0].Principal).toEqual({ Service: 'ecs-tasks.amazonaws.com' });
      expect(trust.Statement[0].Condition.StringEquals['aws:SourceAccount']).toBe(
        '${data.aws_caller_identity.caller.account_id}',
      );
    });

    it('THEN autoscaling tracks 60% CPU between min and max instances', () => {
      expect(resource(stack, 'aws_appautoscaling_target', 'autoscaling_target')).toMatchObject({
        min_capacity: 1,
        max_capacity: 4,
      });
      expect(
        resource(stack, 'aws_appautoscaling_policy', 'autoscaling_policy')
          ?.target_tracking_scaling_policy_configuration,
      ).toMatchObject({
        target_value: 60,
        predefined_metric_specification: {
          predefined_metric_type: 'ECSServiceAverageCPUUtilization',
        },
      });
    });

    it('THEN the ECR repository scans on push, has immutable tags and a lifecycle policy', () => {
      expect(resource(stack, 'aws_ecr_repository', 'ecr_repository')).toMatchObject({
        name: 'iris-prod',
        image_tag_mutability: 'IMMUTABLE',
        image_scanning_configuration: { scan_on_push: true },
      });
      const lifecycle = JSON.parse(
        String(resource(stack, 'aws_ecr_lifecycle_policy', 'ecr_lifecycle_policy')?.policy),
      );
      expect(lifecycle.rules.at(-1).selection).toMatchObject({ countType: 'imageCountMoreThan' });
    });

    it("THEN destroy deletes the deployment's own repository with its images", () => {
      expect(resource(stack, 'aws_ecr_repository', 'ecr_repository')?.force_delete).toBe(true);
    });

    it('THEN the repository the image was pushed to is adopted with an import block', () => {
      // `bentoctl build --push` creates a missing ECR repository; without the import the first
      // apply would fail with RepositoryAlreadyExistsException.
      expect(stack.import).toEqual([{ id: 'iris-prod', to: 'aws_ecr_repository.ecr_repository' }]);
    });

    it('THEN every resource is tagged with the deployment, and only the task definition and service with the bento', () => {
      const [provider] = (stack.provider as { aws: { default_tags: { tags: object }[] }[] }).aws;
      // A release changes the resources that run the bento, not the tags of every resource.
      expect(provider?.default_tags[0]?.tags).toEqual({
        deployment: 'iris-prod',
        'managed-by': 'bentoctl',
      });
      const bento = { 'bento-name': 'iris_classifier', 'bento-version': '0123456789abcdef' };
      expect(resource(stack, 'aws_ecs_task_definition', 'task_definition')?.tags).toEqual(bento);
      expect(resource(stack, 'aws_ecs_service', 'service')).toMatchObject({
        tags: bento,
        propagate_tags: 'SERVICE',
      });
    });

    it('THEN it declares exactly the outputs of the target definition (none for gRPC)', () => {
      expect(Object.keys(stack.output ?? {}).sort()).toEqual(
        outputsOf(awsEcs.outputs, {
          runtime: { grpc: { enabled: false } },
          release: { strategy: 'rolling' },
        })
          .map((output) => output.name)
          .sort(),
      );
      expect((stack.output as Record<string, { value: string }>).endpoint?.value).toBe(
        'http://${aws_lb.alb.dns_name}',
      );
    });

    it('THEN it matches the reviewed snapshot', async () => {
      await expectStackSnapshot('aws-ecs', stack);
    });
  });

  describe('GIVEN a public endpoint with a certificate, request scaling and an existing VPC', () => {
    let stack: TerraformDocument;
    beforeAll(() => {
      stack = synth(
        configText(
          'aws-ecs',
          `region: us-east-1
public: true
allowed_cidrs: [203.0.113.0/24, 198.51.100.0/24]
certificate_arn: ${CERTIFICATE}
scaling_metric: requests
vpc_id: vpc-0123456789abcdef0
public_subnet_ids: [subnet-0aaaaaaaaaaaaaaa1, subnet-0aaaaaaaaaaaaaaa2]
private_subnet_ids: [subnet-0bbbbbbbbbbbbbbb1, subnet-0bbbbbbbbbbbbbbb2]`,
          `runtime:\n  auth: { mode: bearer, secret: "${TOKEN}" }\n`,
        ),
      );
    });

    it('THEN it creates no network and uses the given subnets', () => {
      expect(resourcesOf(stack, 'aws_vpc')).toEqual({});
      expect(resourcesOf(stack, 'aws_subnet')).toEqual({});
      expect(dataOf(stack, 'aws_vpc', 'vpc')).toEqual({ id: 'vpc-0123456789abcdef0' });
      expect(resource(stack, 'aws_lb', 'alb')).toMatchObject({
        internal: false,
        subnets: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
      });
      expect(resource(stack, 'aws_ecs_service', 'service')).toMatchObject({
        network_configuration: {
          subnets: ['subnet-0bbbbbbbbbbbbbbb1', 'subnet-0bbbbbbbbbbbbbbb2'],
        },
      });
    });

    it('THEN HTTPS forwards, HTTP redirects, and only 80/443 open to the listed CIDRs and the VPC', () => {
      expect(resource(stack, 'aws_lb_listener', 'https_listener')).toMatchObject({
        port: 443,
        protocol: 'HTTPS',
        certificate_arn: CERTIFICATE,
        default_action: [{ type: 'forward' }],
      });
      expect(resource(stack, 'aws_lb_listener', 'http_listener')?.default_action).toEqual([
        { type: 'redirect', redirect: { port: '443', protocol: 'HTTPS', status_code: 'HTTP_301' } },
      ]);
      const albRules = Object.values(
        resourcesOf(stack, 'aws_vpc_security_group_ingress_rule'),
      ).filter((rule) => rule.security_group_id === '${aws_security_group.alb_security_group.id}');
      expect(
        albRules.map((rule) => `${rule.from_port} ${rule.cidr_ipv4 ?? rule.cidr_ipv6}`).sort(),
      ).toEqual([
        '443 ${data.aws_vpc.vpc.cidr_block}',
        '443 198.51.100.0/24',
        '443 203.0.113.0/24',
        '80 ${data.aws_vpc.vpc.cidr_block}',
        '80 198.51.100.0/24',
        '80 203.0.113.0/24',
      ]);
      expect((stack.output as Record<string, { value: string }>).endpoint?.value).toBe(
        'https://${aws_lb.alb.dns_name}',
      );
    });

    it('THEN the bearer token comes from its SSM parameter, readable by the execution role only', () => {
      expect(container(stack).secrets).toEqual([{ name: 'BENTOCTL_AUTH_TOKEN', valueFrom: TOKEN }]);
      const statements = policy(stack, 'execution_role_policy').Statement;
      expect(statements.at(-1)).toMatchObject({
        Action: ['ssm:GetParameters', 'ssm:GetParameter'],
        Resource: [TOKEN],
      });
    });

    it('THEN autoscaling tracks 100 requests per task on this ALB and target group', () => {
      expect(
        resource(stack, 'aws_appautoscaling_policy', 'autoscaling_policy')
          ?.target_tracking_scaling_policy_configuration,
      ).toMatchObject({
        target_value: 100,
        predefined_metric_specification: {
          predefined_metric_type: 'ALBRequestCountPerTarget',
          resource_label: '${aws_lb.alb.arn_suffix}/${aws_lb_target_group.target_group.arn_suffix}',
        },
      });
    });
  });

  describe('GIVEN an image in a private registry outside ECR', () => {
    const PULL = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:registry-AbCdEf';
    const outside = (spec: string) =>
      synthesizeTarget(
        synthesizeAwsEcs,
        loadTestConfig(configText('aws-ecs', spec)),
        imageReference('registry.example.com/iris', DIGEST),
      );

    it('WHEN no pull credentials are given THEN generate refuses the image and says what to do', () => {
      expect(() => outside('region: us-east-1')).toThrow(
        expect.objectContaining({
          code: 'IMAGE_NOT_PULLABLE',
          message: expect.stringContaining('spec.image_pull_secret'),
        }),
      );
    });

    it('WHEN image_pull_secret is given THEN the task pulls with it and only the execution role reads it', () => {
      const stack = outside(`image_pull_secret: ${PULL}`);
      expect(container(stack).repositoryCredentials).toEqual({ credentialsParameter: PULL });
      expect(policy(stack, 'execution_role_policy').Statement).toContainEqual(
        expect.objectContaining({ Action: ['secretsmanager:GetSecretValue'], Resource: [PULL] }),
      );
      // Nothing of ECR is granted for an image that is not in it, and no repository is adopted.
      expect(JSON.stringify(policy(stack, 'execution_role_policy'))).not.toContain(
        'ecr:BatchGetImage',
      );
      expect(resource(stack, 'aws_ecr_repository', 'ecr_repository')).toBeDefined();
      expect(stack.import).toBeUndefined();
    });
  });

  describe('GIVEN which ECR repository the image is in', () => {
    // A stack owns (declares and imports) only the deployment's own repository, so destroying
    // one deployment never takes another one's images with it.
    const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
    const synthWith = (repository: string, extra = '') =>
      synthesizeTarget(
        synthesizeAwsEcs,
        loadTestConfig(configText('aws-ecs', 'region: us-east-1', extra)),
        imageReference(repository, DIGEST),
      );

    it("WHEN it is the deployment's own THEN it is imported, guarded by the image's account", () => {
      const stack = synthWith(`${ECR}/iris-prod`);
      expect(stack.import).toEqual([{ id: 'iris-prod', to: 'aws_ecr_repository.ecr_repository' }]);
      const repository = resource(stack, 'aws_ecr_repository', 'ecr_repository') as {
        lifecycle?: { precondition?: { condition: string }[] };
      };
      expect(repository.lifecycle?.precondition?.[0]?.condition).toBe(
        '${(data.aws_caller_identity.caller.account_id == "123456789012")}',
      );
    });

    it("WHEN it is another deployment's (a shared image.repository) THEN the stack declares its own and imports nothing", () => {
      const stack = synthWith(`${ECR}/iris-staging`, `image:\n  repository: ${ECR}/iris-staging\n`);
      expect(Object.values(resourcesOf(stack, 'aws_ecr_repository'))).toEqual([
        expect.objectContaining({ name: 'iris-prod' }),
      ]);
      expect(stack.import).toBeUndefined();
      // The tasks still pull from where the image is.
      expect(JSON.stringify(policy(stack, 'execution_role_policy'))).toContain(
        'arn:aws:ecr:us-east-1:123456789012:repository/iris-staging',
      );
    });

    it('WHEN it has the deployment name in another region THEN nothing is imported', () => {
      const stack = synthWith('123456789012.dkr.ecr.eu-west-1.amazonaws.com/iris-prod');
      expect(stack.import).toBeUndefined();
      expect(resource(stack, 'aws_ecr_repository', 'ecr_repository')?.lifecycle).toBeUndefined();
    });
  });

  it('GIVEN an image in ECR WHEN synthesized THEN no registry credentials are set', () => {
    const stack = synth(configText('aws-ecs', ''));
    expect(container(stack)).not.toHaveProperty('repositoryCredentials');
  });

  it('GIVEN a secret that is not an ARN WHEN validated THEN it fails naming the variable, before synthesis', () => {
    expect(() =>
      loadTestConfig(
        configText('aws-ecs', 'region: us-east-1', 'secrets:\n  DB_PASSWORD: prod/db\n'),
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        diagnostics: [expect.objectContaining({ field: 'secrets.DB_PASSWORD' })],
      }),
    );
  });

  it('GIVEN a long deployment name WHEN synthesized THEN the ALB name fits 32 characters and the target group takes a prefix', () => {
    const longName = 'a-very-long-deployment-name-for-iris-01';
    const stack = synth(
      configText('aws-ecs', 'region: us-east-1').replace('name: iris-prod', `name: ${longName}`),
    );
    const albName = String(resource(stack, 'aws_lb', 'alb')?.name);
    expect(albName.length).toBeLessThanOrEqual(32);
    expect(albName).toMatch(/^[a-z0-9-]+[a-z0-9]$/);
    // A replaced target group is created before the old one goes: a fixed name would collide.
    const group = resource(stack, 'aws_lb_target_group', 'target_group');
    expect(group?.name).toBeUndefined();
    expect(group).toMatchObject({
      name_prefix: 'a-ver-',
      lifecycle: { create_before_destroy: true },
    });
  });

  describe('release strategies', () => {
    const spec = 'region: us-east-1';
    const service = (stack: TerraformDocument) =>
      resource(stack, 'aws_ecs_service', 'service') as {
        deployment_configuration?: Record<string, unknown>;
        load_balancer: { target_group_arn: string; advanced_configuration?: unknown }[];
        alarms?: { alarm_names: string[]; enable: boolean; rollback: boolean };
        timeouts?: { update: string };
        depends_on: string[];
      };

    it('GIVEN rolling (the default) THEN the stack is the one without a release section', () => {
      const rolling = synth(configText('aws-ecs', spec, 'release:\n  strategy: rolling\n'));
      const none = synth(configText('aws-ecs', spec));

      expect(stableJson(rolling)).toBe(stableJson(none));
      expect(service(rolling).deployment_configuration).toBeUndefined();
      expect(resourcesOf(rolling, 'aws_lb_listener_rule')).toEqual({});
      // No candidate, so no URL of one: no test listener, no port 8080, no output.
      expect(Object.keys(resourcesOf(rolling, 'aws_lb_listener'))).toEqual(['http_listener']);
      expect(
        Object.values(resourcesOf(rolling, 'aws_vpc_security_group_ingress_rule')).map(
          (rule) => rule.from_port,
        ),
      ).not.toContain(8080);
      expect(rolling.output).not.toHaveProperty('candidate_endpoint');
    });

    /** The test listener, its rule, the ingress of its port and the output, as one view. */
    const testTraffic = (stack: TerraformDocument) => {
      const ingress = Object.values(
        resourcesOf(stack, 'aws_vpc_security_group_ingress_rule'),
      ).filter((rule) => rule.security_group_id === '${aws_security_group.alb_security_group.id}');
      return {
        listener: resource(stack, 'aws_lb_listener', 'test_listener'),
        rule: resource(stack, 'aws_lb_listener_rule', 'test_listener_rule'),
        wired: (service(stack).load_balancer[0]?.advanced_configuration ?? {}) as Record<
          string,
          unknown
        >,
        sources: (port: number) =>
          ingress
            .filter((rule) => rule.from_port === port && rule.to_port === port)
            .map((rule) => String(rule.cidr_ipv4 ?? rule.cidr_ipv6))
            .sort(),
        output: (stack.output as Record<string, { value: string }> | undefined)?.candidate_endpoint,
      };
    };

    it('GIVEN a canary WHEN synthesized THEN the candidate has its own URL: a test listener on port 8080 whose rule ECS points at the new tasks, open to the VPC only', () => {
      const stack = synth(configText('aws-ecs', spec, 'release:\n  strategy: canary\n'));
      const test = testTraffic(stack);

      expect(test.listener).toMatchObject({
        load_balancer_arn: '${aws_lb.alb.arn}',
        port: 8080,
        protocol: 'HTTP',
        default_action: [
          { type: 'forward', target_group_arn: '${aws_lb_target_group.target_group.arn}' },
        ],
      });
      expect(test.listener).not.toHaveProperty('certificate_arn');
      expect(test.rule).toMatchObject({
        listener_arn: '${aws_lb_listener.test_listener.arn}',
        condition: [{ path_pattern: { values: ['/*'] } }],
        action: [
          {
            type: 'forward',
            forward: {
              target_group: [
                { arn: '${aws_lb_target_group.target_group.arn}', weight: 100 },
                { arn: '${aws_lb_target_group.alternate_target_group.arn}', weight: 0 },
              ],
            },
          },
        ],
        // ECS moves it between the groups; a re-plan must not move it back.
        lifecycle: { ignore_changes: ['action'] },
      });
      expect(test.wired.test_listener_rule).toBe('${aws_lb_listener_rule.test_listener_rule.arn}');
      expect(service(stack).depends_on).toContain('aws_lb_listener_rule.test_listener_rule');
      // The same sources as the production port: the VPC, nothing from outside by default.
      expect(test.sources(8080)).toEqual(test.sources(80));
      expect(test.sources(8080)).toEqual(['10.0.0.0/16']);
      expect(test.output?.value).toBe('http://${aws_lb.alb.dns_name}:8080');
    });

    it('GIVEN a canary behind HTTPS for listed CIDRs WHEN synthesized THEN the test listener is HTTPS on 8443 with the certificate, open to the same CIDRs, and the candidate URL is https', () => {
      const stack = synth(
        configText(
          'aws-ecs',
          `region: us-east-1
public: true
allowed_cidrs: [203.0.113.0/24]
certificate_arn: ${CERTIFICATE}`,
          'release:\n  strategy: canary\n',
        ),
      );
      const test = testTraffic(stack);

      expect(test.listener).toMatchObject({
        port: 8443,
        protocol: 'HTTPS',
        certificate_arn: CERTIFICATE,
        ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      });
      expect(test.sources(8443)).toEqual(test.sources(443));
      expect(test.sources(8443)).toEqual(['10.0.0.0/16', '203.0.113.0/24']);
      expect(test.sources(8080)).toEqual([]);
      expect(test.output?.value).toBe('https://${aws_lb.alb.dns_name}:8443');
    });

    it('GIVEN a canary WHEN synthesized THEN ECS runs CANARY with an alternate target group, the production rule, its role and rollback alarms', () => {
      const stack = synth(
        configText(
          'aws-ecs',
          spec,
          'release:\n  strategy: canary\n  percent: 10\n  bake_minutes: 15\n',
        ),
      );
      const ecs = service(stack);

      expect(ecs.deployment_configuration).toEqual({
        strategy: 'CANARY',
        bake_time_in_minutes: '5',
        canary_configuration: { canary_percent: 10, canary_bake_time_in_minutes: '15' },
      });
      expect(ecs.load_balancer[0]?.advanced_configuration).toEqual({
        alternate_target_group_arn: '${aws_lb_target_group.alternate_target_group.arn}',
        production_listener_rule: '${aws_lb_listener_rule.production_listener_rule.arn}',
        test_listener_rule: '${aws_lb_listener_rule.test_listener_rule.arn}',
        role_arn: '${aws_iam_role.deployment_role.arn}',
      });
      expect(ecs.alarms).toEqual({
        alarm_names: [
          '${aws_cloudwatch_metric_alarm.primary_error_rate_alarm.alarm_name}',
          '${aws_cloudwatch_metric_alarm.primary_latency_alarm.alarm_name}',
          '${aws_cloudwatch_metric_alarm.alternate_error_rate_alarm.alarm_name}',
          '${aws_cloudwatch_metric_alarm.alternate_latency_alarm.alarm_name}',
        ],
        enable: true,
        rollback: true,
      });
      // 15 min canary + 5 min window + 30 min margin: terraform waits for the whole deployment.
      expect(ecs.timeouts).toEqual({ update: '50m' });
      expect(ecs.depends_on).toContain('aws_lb_listener_rule.production_listener_rule');

      const rule = resource(stack, 'aws_lb_listener_rule', 'production_listener_rule') as {
        action: { forward: { target_group: { arn: string; weight: number }[] } }[];
        lifecycle: { ignore_changes: string[] };
        listener_arn: string;
      };
      expect(rule.action[0]?.forward.target_group).toEqual([
        { arn: '${aws_lb_target_group.target_group.arn}', weight: 100 },
        { arn: '${aws_lb_target_group.alternate_target_group.arn}', weight: 0 },
      ]);
      expect(rule.lifecycle.ignore_changes).toEqual(['action']);
      expect(rule.listener_arn).toBe('${aws_lb_listener.http_listener.arn}');
      const primary = resource(stack, 'aws_lb_target_group', 'target_group');
      const alternate = resource(stack, 'aws_lb_target_group', 'alternate_target_group');
      expect(alternate).toEqual(primary);
      expect(
        resource(stack, 'aws_iam_role_policy_attachment', 'deployment_role_policy')?.policy_arn,
      ).toBe(
        'arn:${data.aws_partition.partition.partition}:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers',
      );
      expect(
        JSON.parse(String(resource(stack, 'aws_iam_role', 'deployment_role')?.assume_role_policy))
          .Statement[0].Principal,
      ).toEqual({ Service: 'ecs.amazonaws.com' });

      const errors = resource(
        stack,
        'aws_cloudwatch_metric_alarm',
        'alternate_error_rate_alarm',
      ) as {
        threshold: number;
        treat_missing_data: string;
        metric_query: {
          id: string;
          expression?: string;
          metric?: { metric_name: string; dimensions: Record<string, string> };
        }[];
      };
      expect(errors.threshold).toBe(5);
      expect(errors.treat_missing_data).toBe('notBreaching');
      expect(
        errors.metric_query.map((query) => query.metric?.metric_name ?? query.expression),
      ).toEqual(['HTTPCode_Target_5XX_Count', 'RequestCount', '100 * errors / MAX([requests, 1])']);
      expect(errors.metric_query[0]?.metric?.dimensions.TargetGroup).toBe(
        '${aws_lb_target_group.alternate_target_group.arn_suffix}',
      );
      const latency = resource(stack, 'aws_cloudwatch_metric_alarm', 'primary_latency_alarm');
      expect(latency).toMatchObject({
        metric_name: 'TargetResponseTime',
        extended_statistic: 'p99',
        threshold: 2,
      });
    });

    describe('GIVEN blue-green', () => {
      const blueGreen = configText(
        'aws-ecs',
        spec,
        'release:\n  strategy: blue-green\n  bake_minutes: 20\n',
      );
      let stack: TerraformDocument;
      beforeAll(() => {
        stack = synth(blueGreen);
      });
      const hookPolicy = (id: string) =>
        JSON.parse(String(resource(stack, 'aws_iam_role_policy', id)?.policy)) as {
          Statement: Record<string, unknown>[];
        };
      const revision = () =>
        (stack as { variable: { bentoctl_approval: { default: { approved: string } } } }).variable
          .bentoctl_approval.default.approved;

      it('THEN ECS runs BLUE_GREEN, keeps the old tasks bake_minutes and asks the approval hook after the test traffic shift', () => {
        const ecs = service(stack) as ReturnType<typeof service> & {
          wait_for_steady_state: boolean;
        };

        expect(ecs.deployment_configuration).toEqual({
          strategy: 'BLUE_GREEN',
          bake_time_in_minutes: '20',
          lifecycle_hook: [
            {
              hook_target_arn: '${aws_lambda_function.approval_hook.arn}',
              role_arn: '${aws_iam_role.approval_invoke_role.arn}',
              lifecycle_stages: ['POST_TEST_TRAFFIC_SHIFT'],
              hook_details: JSON.stringify({ revision: revision() }),
            },
          ],
        });
        expect(revision()).toMatch(/^iris-prod-[0-9a-f]{12}$/);
        // The deployment waits for `release promote`, another apply: this one must not wait.
        expect(ecs.wait_for_steady_state).toBe(false);
        expect(ecs.timeouts).toEqual({ update: '50m' });
        expect(ecs.depends_on).toContain('aws_iam_role_policy.approval_invoke_role_policy');
        expect(resource(stack, 'aws_lb_target_group', 'alternate_target_group')).toBeDefined();
      });

      it('THEN the candidate has its own URL while the hook waits: the test listener, whose rule ECS points at the new tasks before POST_TEST_TRAFFIC_SHIFT', () => {
        const test = testTraffic(stack);

        expect(test.wired.test_listener_rule).toBe(
          '${aws_lb_listener_rule.test_listener_rule.arn}',
        );
        expect(test.rule?.listener_arn).toBe('${aws_lb_listener.test_listener.arn}');
        expect(test.listener).toMatchObject({ port: 8080, protocol: 'HTTP' });
        expect(test.sources(8080)).toEqual(['10.0.0.0/16']);
        expect(test.output?.value).toBe('http://${aws_lb.alb.dns_name}:8080');
      });

      it('THEN the approval parameter holds the bentoctl_approval variable, whose default approves this revision', () => {
        expect(
          (stack as { variable: Record<string, { type: string; default: unknown }> }).variable
            .bentoctl_approval,
        ).toMatchObject({
          type: 'object({ approved = string, rejected = string })',
          default: { approved: revision(), rejected: '' },
        });
        expect(resource(stack, 'aws_ssm_parameter', 'approval_parameter')).toMatchObject({
          name: '/bentoctl/iris-prod/release-approval',
          type: 'String',
          value: '${jsonencode(var.bentoctl_approval)}',
        });
      });

      it('THEN the hook is a Node.js Lambda from the zip beside the stack, told which parameter to read', () => {
        const [input] = [stackInput(loadTestConfig(blueGreen), ECR_IMAGE)];
        const synthesized = synthesizeStackWith(input, synthesizeAwsEcs);
        const zip = synthesized.assets['approval-hook.zip'];

        expect(resource(stack, 'aws_lambda_function', 'approval_hook')).toMatchObject({
          function_name: 'iris-prod-approval-hook',
          runtime: 'nodejs22.x',
          handler: 'index.handler',
          filename: '${path.module}/assets/approval-hook.zip',
          source_code_hash: createHash('sha256')
            .update(zip ?? '')
            .digest('base64'),
          role: '${aws_iam_role.approval_hook_role.arn}',
          environment: {
            variables: {
              BENTOCTL_APPROVAL_PARAMETER: '${aws_ssm_parameter.approval_parameter.name}',
            },
          },
          logging_config: {
            log_format: 'Text',
            log_group: '${aws_cloudwatch_log_group.approval_hook_log_group.name}',
          },
        });
        expect(Object.keys(synthesized.assets)).toEqual(['approval-hook.zip']);
        expect(unzipSync(zip ?? new Uint8Array())).toEqual({
          'index.mjs': strToU8(APPROVAL_HOOK_SOURCE),
        });
        // The same inputs give the same zip bytes, so generate stays byte-identical.
        expect(synthesizeStackWith(input, synthesizeAwsEcs).assets['approval-hook.zip']).toEqual(
          zip,
        );
      });

      it("THEN the hook's role reads only its parameter and writes only its log group", () => {
        expect(
          JSON.parse(
            String(resource(stack, 'aws_iam_role', 'approval_hook_role')?.assume_role_policy),
          ).Statement[0].Principal,
        ).toEqual({ Service: 'lambda.amazonaws.com' });
        expect(hookPolicy('approval_hook_role_policy').Statement).toEqual([
          {
            Sid: 'ReadApproval',
            Effect: 'Allow',
            Action: ['ssm:GetParameter'],
            Resource: ['${aws_ssm_parameter.approval_parameter.arn}'],
          },
          {
            Sid: 'WriteLogs',
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: ['${aws_cloudwatch_log_group.approval_hook_log_group.arn}:*'],
          },
        ]);
        expect(resourcesOf(stack, 'aws_iam_role_policy_attachment')).not.toHaveProperty(
          'approval_hook_role_policy',
        );
      });

      it('THEN the role ECS invokes the hook with may invoke that one function, for this account only', () => {
        const trust = JSON.parse(
          String(resource(stack, 'aws_iam_role', 'approval_invoke_role')?.assume_role_policy),
        ).Statement[0];
        expect(trust.Principal).toEqual({ Service: 'ecs.amazonaws.com' });
        expect(trust.Condition).toEqual({
          StringEquals: { 'aws:SourceAccount': '${data.aws_caller_identity.caller.account_id}' },
        });
        expect(hookPolicy('approval_invoke_role_policy').Statement).toEqual([
          {
            Sid: 'InvokeApprovalHook',
            Effect: 'Allow',
            Action: ['lambda:InvokeFunction'],
            Resource: ['${aws_lambda_function.approval_hook.arn}'],
          },
        ]);
      });

      it('THEN the revision changes with what runs and not with the release section', () => {
        const longerBake = synth(
          configText('aws-ecs', spec, 'release:\n  strategy: blue-green\n  bake_minutes: 30\n'),
        );
        const otherImage = synthesizeTarget(
          synthesizeAwsEcs,
          loadTestConfig(blueGreen),
          imageReference(ECR_IMAGE.repository, `sha256:${'cd'.repeat(32)}`),
        );
        const approved = (json: TerraformDocument) =>
          (json as { variable: { bentoctl_approval: { default: { approved: string } } } }).variable
            .bentoctl_approval.default.approved;

        expect(approved(longerBake)).toBe(revision());
        expect(approved(otherImage)).not.toBe(revision());
      });

      it('THEN it matches the reviewed snapshot', async () => {
        await expect(stableJson(stack)).toMatchFileSnapshot(
          '__snapshots__/aws-ecs-blue-green.tf.json',
        );
      });
    });

    it('GIVEN a canary WHEN synthesized THEN there is no approval hook and terraform waits for the deployment', () => {
      const stack = synth(configText('aws-ecs', spec, 'release:\n  strategy: canary\n'));

      expect(resourcesOf(stack, 'aws_lambda_function')).toEqual({});
      expect(resourcesOf(stack, 'aws_ssm_parameter')).toEqual({});
      expect(service(stack)).toMatchObject({ wait_for_steady_state: true });
    });
  });

  it('GIVEN startup_grace_seconds WHEN synthesized THEN the service gives new tasks that long', () => {
    const stack = synth(configText('aws-ecs', 'startup_grace_seconds: 900'));
    expect(resource(stack, 'aws_ecs_service', 'service')?.health_check_grace_period_seconds).toBe(
      900,
    );
  });

  it('GIVEN secrets under a customer KMS key WHEN synthesized THEN the execution role may decrypt with it through the secret services only', () => {
    const key = 'arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-aaaa-bbbb-cccc-123456789012';
    const stack = synth(
      configText(
        'aws-ecs',
        `secrets_kms_key_arns: [${key}]`,
        `secrets:\n  DB_PASSWORD: ${SECRET}\n  API_TOKEN: ${TOKEN}\n`,
      ),
    );
    expect(policy(stack, 'execution_role_policy').Statement.at(-1)).toEqual({
      Sid: 'DecryptSecrets',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: [key],
      Condition: {
        StringEquals: {
          'kms:ViaService': [
            'secretsmanager.us-east-1.amazonaws.com',
            'ssm.us-east-1.amazonaws.com',
          ],
        },
      },
    });
  });

  it('GIVEN one deployment name in two regions WHEN synthesized THEN its IAM roles do not collide', () => {
    const names = (region: string) => {
      const stack = synth(configText('aws-ecs', `region: ${region}`));
      return Object.values(resourcesOf(stack, 'aws_iam_role')).map((role) => role.name);
    };
    expect(names('us-east-1')).toEqual([
      'iris-prod-us-east-1-execution',
      'iris-prod-us-east-1-task',
    ]);
    const west = names('eu-west-1');
    expect(west).toEqual(['iris-prod-eu-west-1-execution', 'iris-prod-eu-west-1-task']);
  });

  it('GIVEN an existing VPC WHEN synthesized THEN plan checks that the load balancer and tasks span two zones', () => {
    const stack = synth(
      configText(
        'aws-ecs',
        `vpc_id: vpc-0123456789abcdef0
public_subnet_ids: [subnet-0aaaaaaaaaaaaaaa1, subnet-0aaaaaaaaaaaaaaa2]
private_subnet_ids: [subnet-0bbbbbbbbbbbbbbb1, subnet-0bbbbbbbbbbbbbbb2]`,
      ),
    );
    expect(dataOf(stack, 'aws_subnet', 'private_subnet_2')).toEqual({
      id: 'subnet-0bbbbbbbbbbbbbbb2',
    });
    const twoZones = {
      condition:
        '${(length(distinct([data.aws_subnet.private_subnet_1.availability_zone, data.aws_subnet.private_subnet_2.availability_zone])) >= 2)}',
      error_message: expect.stringContaining('spec.private_subnet_ids'),
    };
    expect(resource(stack, 'aws_lb', 'alb')?.lifecycle).toEqual({ precondition: [twoZones] });
    expect(resource(stack, 'aws_ecs_service', 'service')?.lifecycle).toMatchObject({
      precondition: [
        twoZones,
        expect.objectContaining({ error_message: expect.stringContaining('NAT') }),
      ],
    });
  });

  const EXISTING = `vpc_id: vpc-0123456789abcdef0
public_subnet_ids: [subnet-0aaaaaaaaaaaaaaa1, subnet-0aaaaaaaaaaaaaaa2]
private_subnet_ids: [subnet-0bbbbbbbbbbbbbbb1, subnet-0bbbbbbbbbbbbbbb2]`;

  it('GIVEN an existing VPC WHEN synthesized THEN plan checks that every private subnet routes to the internet through a NAT', () => {
    const stack = synth(configText('aws-ecs', EXISTING));
    expect(dataOf(stack, 'aws_route_tables', 'private_subnet_2_route_tables')).toEqual({
      vpc_id: 'vpc-0123456789abcdef0',
      filter: [{ name: 'association.subnet-id', values: ['subnet-0bbbbbbbbbbbbbbb2'] }],
    });
    expect(dataOf(stack, 'aws_route_tables', 'private_main_route_table')).toEqual({
      vpc_id: 'vpc-0123456789abcdef0',
      filter: [{ name: 'association.main', values: ['true'] }],
    });
    // A subnet without its own association uses the main table.
    expect(dataOf(stack, 'aws_route_table', 'private_subnet_1_route_table')).toEqual({
      route_table_id:
        '${concat(data.aws_route_tables.private_subnet_1_route_tables.ids, data.aws_route_tables.private_main_route_table.ids)[0]}',
    });
    const checks = (
      resource(stack, 'aws_ecs_service', 'service')?.lifecycle as {
        precondition: { condition: string; error_message: string }[];
      }
    ).precondition;
    expect(checks[1]).toEqual({
      condition:
        '${alltrue([for table in [data.aws_route_table.private_subnet_1_route_table, data.aws_route_table.private_subnet_2_route_table] : anytrue([for route in table.routes : route.cidr_block == "0.0.0.0/0" && (route.nat_gateway_id != "" || route.transit_gateway_id != "" || route.network_interface_id != "")])])}',
      error_message: expect.stringMatching(
        /^Every private subnet \(spec.private_subnet_ids\) must reach ECR, S3 and CloudWatch Logs: .*NAT gateway.*private_egress: vpc-endpoints/,
      ),
    });
  });

  it('GIVEN private_egress: vpc-endpoints THEN plan reads the ECR, S3 and Logs endpoints and checks they are available', () => {
    const stack = synth(configText('aws-ecs', `${EXISTING}\nprivate_egress: vpc-endpoints`));
    expect(dataOf(stack, 'aws_vpc_endpoint', 'vpc_endpoint_ecr_dkr')).toEqual({
      vpc_id: 'vpc-0123456789abcdef0',
      service_name: 'com.amazonaws.us-east-1.ecr.dkr',
    });
    expect(dataOf(stack, 'aws_route_table', 'private_subnet_1_route_table')).toBeUndefined();
    const checks = (
      resource(stack, 'aws_ecs_service', 'service')?.lifecycle as {
        precondition: { condition: string }[];
      }
    ).precondition;
    expect(checks[1]?.condition).toBe(
      '${alltrue([for endpoint in [data.aws_vpc_endpoint.vpc_endpoint_ecr_api, data.aws_vpc_endpoint.vpc_endpoint_ecr_dkr, data.aws_vpc_endpoint.vpc_endpoint_s3, data.aws_vpc_endpoint.vpc_endpoint_logs] : endpoint.state == "available"])}',
    );
  });

  it('GIVEN private_egress without vpc_id THEN validate refuses it: the new VPC has NAT gateways', () => {
    expect(() => loadTestConfig(configText('aws-ecs', 'private_egress: vpc-endpoints'))).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        diagnostics: [
          expect.objectContaining({
            field: 'spec.private_egress',
            message: expect.stringContaining(
              'private_egress vpc-endpoints describes an existing VPC',
            ),
          }),
        ],
      }),
    );
  });
});
