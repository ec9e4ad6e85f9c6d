import { CANDIDATE_PORT, candidatePort } from '../common/candidate-port.js';
import { ec2GpuPlanNotes } from './plan-notes.js';
import { grpcScalingWarnings } from '../common/aws-grpc-scaling.js';
import { AWS_SECRET_REFERENCE } from '../common/aws-secrets.js';
import type { TargetDefinition } from '../target.js';
import { preflightAwsEc2Gpu } from './preflight.js';
import { awsEc2GpuSpecSchema } from './spec.js';

export const awsEc2Gpu: TargetDefinition<typeof awsEc2GpuSpecSchema> = {
  name: 'aws-ec2-gpu',
  cloud: 'aws',
  summary: 'AWS EC2 NVIDIA GPU instances running the image with Docker (ASG + ALB when scaled)',
  specSchema: awsEc2GpuSpecSchema,
  registry: 'ecr',
  // The instances are GPU instances: running the CPU provider on them would waste the GPU.
  defaultDevice: 'gpu',
  outputs: [
    { name: 'endpoint', description: 'URL of the instance, or of the load balancer when scaled' },
    {
      name: 'candidate_endpoint',
      description: `URL of the newest revision alone: the load balancer's port ${CANDIDATE_PORT.http} (HTTPS: ${CANDIDATE_PORT.https}), for a smoke test before it takes traffic`,
      when: 'candidate',
    },
    { name: 'image_repository', description: 'ECR repository the image is pushed to' },
    {
      name: 'grpc_endpoint',
      description:
        'host:port of the gRPC service: on the instance (plaintext), or on the load balancer when scaled (TLS)',
      when: 'grpc',
    },
  ],
  releaseStrategies: {
    rolling:
      'instance refresh (launch before terminate, rollback on failure), or create-before-destroy of the single instance',
    canary: `a second Auto Scaling group (its own launch template) beside the stable one behind the load balancer: its target group gets percent of the requests (weighted forward) until \`bentoctl release promote\` or \`abort\`; its own URL on port ${CANDIDATE_PORT.http} (HTTPS: ${CANDIDATE_PORT.https}); at least one more GPU instance for the bake`,
    'blue-green': `a second Auto Scaling group at full size (min_instances) with weight 0, its own URL on port ${CANDIDATE_PORT.http} (HTTPS: ${CANDIDATE_PORT.https}) for a smoke test, until \`bentoctl release promote\` moves all requests; twice the GPU instances until then`,
  },
  candidateUrl: {
    kind: 'release',
    describe: (_deployment, spec) =>
      `own URL: load balancer port ${candidatePort(spec.certificate_arn)}`,
  },
  grpc: {
    served: true,
    how: "runtime.grpc.port published on the single instance (plaintext, open to the same sources as the serving port); when scaled, an HTTPS listener on that port (certificate_arn; ALBs take gRPC over TLS only) forwarding to a GRPC target group, health-checked with ServerReady; under canary and blue-green each revision's Auto Scaling group has its own GRPC target group and the gRPC listener splits the calls across them with the same weights as the requests (the candidate's own port is HTTP only)",
  },
  lifecycle: {
    terminated:
      "every Auto Scaling group (the rolling one, or each revision's under canary and blue-green) held at 0..0: no instances run; a single instance (max_instances: 1) is stopped, its volume and address kept; the load balancer, launch templates and ECR repository stay",
    restored:
      'the groups back at their recorded sizes (min_instances..max_instances, a canary candidate at its share) or the single instance started; bentoctl restore waits until the endpoint answers from the current release',
  },
  secretReference: AWS_SECRET_REFERENCE,
  initFields: ['region', 'instance_type', 'min_instances', 'max_instances'],
  stateScope: (spec) => spec.region,
  preflight: (spec, context) => preflightAwsEc2Gpu(spec, context),
  planNotes: (summary) => ec2GpuPlanNotes(summary),
  warnings: (config) =>
    grpcScalingWarnings(
      config,
      Number(config.spec.max_instances) > 1,
      'set min_instances for the gRPC load you expect',
    ),
  loadSynthesizer: async () => (await import('./stack.js')).synthesizeAwsEc2Gpu,
};
