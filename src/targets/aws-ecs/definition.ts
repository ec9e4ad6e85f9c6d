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
  releaseStrategies: {
    rolling: 'ECS rolling update with the deployment circuit breaker (rollback on failure)',
    canary:
      'ECS native CANARY: the new tasks in an alternate target group get percent of the listener for bake_minutes, then all; CloudWatch alarms on their 5xx rate and p99 latency roll it back',
    'blue-green':
      'ECS native BLUE_GREEN with a lifecycle hook: the new tasks in an alternate target group get no traffic until healthy and approved (bentoctl release promote; release abort rejects, and ECS rolls back; unapproved after 12 h, rejected), then all of it, the old ones staying bake_minutes; the same alarms roll it back. Adds a Lambda (one call a minute while waiting) and an SSM parameter',
  },
  approvalStrategies: ['blue-green'],
  secretReference: AWS_SECRET_REFERENCE,
  initFields: ['region', 'cpu', 'memory', 'min_instances', 'max_instances'],
  stateScope: (spec) => spec.region,
  preflight: (spec, context) => preflightAwsEcs(spec, context),
  loadSynthesizer: async () => (await import('./stack.js')).synthesizeAwsEcs,
};
