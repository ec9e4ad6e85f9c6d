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
    { name: 'image_repository', description: 'ECR repository the image is pushed to' },
  ],
  secretReference: AWS_SECRET_REFERENCE,
  initFields: ['region', 'cpu', 'memory', 'min_instances', 'max_instances'],
  stateScope: (spec) => spec.region,
  preflight: (spec, context) => preflightAwsEcs(spec, context),
  loadSynthesizer: async () => (await import('./stack.js')).synthesizeAwsEcs,
};
