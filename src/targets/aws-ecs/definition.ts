import { grpcScalingWarnings } from '../common/aws-grpc-scaling.js';
import { CANDIDATE_PORT, candidatePort } from '../common/candidate-port.js';
import { AWS_SECRET_REFERENCE } from '../common/aws-secrets.js';
import type { TargetDefinition } from '../target.js';
import { preflightAwsEcs } from './preflight.js';
import { awsEcsSpecSchema } from './spec.js';

export const awsEcs: TargetDefinition<typeof awsEcsSpecSchema> = {
  name: 'aws-ecs',
  cloud: 'aws',
  summary: 'AWS ECS on Fargate behind an Application Load Balancer, with autoscaling',
  specSchema: awsEcsSpecSchema,
  registry: 'ecr',
  outputs: [
    { name: 'endpoint', description: 'URL of the load balancer in front of the service' },
    {
      name: 'candidate_endpoint',
      description: `URL of the new revision alone during an ECS deployment: the load balancer's test listener on port ${CANDIDATE_PORT.http} (HTTPS: ${CANDIDATE_PORT.https}), for a smoke test before it takes production traffic`,
      when: 'candidate',
    },
    { name: 'image_repository', description: 'ECR repository the image is pushed to' },
    {
      name: 'grpc_endpoint',
      description: 'host:port of the gRPC service on the load balancer (TLS)',
      when: 'grpc',
    },
  ],
  releaseStrategies: {
    rolling: 'ECS rolling update with the deployment circuit breaker (rollback on failure)',
    canary: `ECS native CANARY: the new tasks in an alternate target group get percent of the listener for bake_minutes, then all; CloudWatch alarms on their 5xx rate and p99 latency roll it back. Their own URL (candidate_endpoint): ECS's test listener on port ${CANDIDATE_PORT.http} (HTTPS: ${CANDIDATE_PORT.https}), open to the same sources, which ECS points at them once healthy`,
    'blue-green': `ECS native BLUE_GREEN with a lifecycle hook: the new tasks in an alternate target group get no production traffic until healthy and approved (bentoctl release promote; release abort rejects, and ECS rolls back; unapproved after 12 h, rejected), then all of it, the old ones staying bake_minutes; the same alarms roll it back. While it waits they answer alone on their own URL for a smoke test (candidate_endpoint: ECS's test listener on port ${CANDIDATE_PORT.http}, HTTPS: ${CANDIDATE_PORT.https}), which bentoctl apply waits on. Adds a Lambda (one call a minute while waiting) and an SSM parameter`,
  },
  approvalStrategies: ['blue-green'],
  candidateUrl: {
    kind: 'release',
    describe: (_deployment, spec) =>
      `own URL: test listener port ${candidatePort(spec.certificate_arn)}`,
  },
  grpc: {
    served: true,
    how: "a second container port and an HTTPS listener on runtime.grpc.port (certificate_arn; ALBs take gRPC over TLS only) forwarding to a GRPC target group, health-checked with ServerReady; under canary and blue-green the service's gRPC load balancer entry has its own alternate GRPC target group and production rule on the gRPC listener, so ECS shifts the gRPC calls in the same deployment as the requests (the rollback alarms watch the HTTP target groups)",
  },
  lifecycle: {
    terminated:
      'autoscaling of the service held at 0..0, which sets its desired count to 0: no tasks run; the cluster, the load balancer (answering 503 with no targets), the task definition and the ECR repository stay',
    restored:
      'autoscaling back to min_instances..max_instances and the tasks of the current release started; bentoctl restore waits until the load balancer answers from its image',
  },
  secretReference: AWS_SECRET_REFERENCE,
  initFields: ['region', 'cpu', 'memory', 'min_instances', 'max_instances'],
  stateScope: (spec) => spec.region,
  preflight: (spec, context) => preflightAwsEcs(spec, context),
  warnings: (config) =>
    grpcScalingWarnings(
      config,
      config.spec.scaling_metric === 'requests',
      'scale on cpu (scaling_metric: cpu) when gRPC carries much of the traffic',
    ),
  loadSynthesizer: async () => (await import('./stack.js')).synthesizeAwsEcs,
};
