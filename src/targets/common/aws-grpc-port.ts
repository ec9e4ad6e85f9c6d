/**
 * Under canary or blue-green the load balancer also listens on the candidate's port
 * (candidate-port.ts: aws-ec2-gpu's candidate listener, aws-ecs's test listener), beside the
 * gRPC listener on runtime.grpc.port: two listeners on one port is a Terraform apply error, so
 * validate says it first. (The HTTP listeners' 80 and 443 are below the ports runtime.grpc.port
 * takes.)
 */
import type { ReleaseStrategy } from '../../config/release-schema.js';
import type { SpecIssue } from '../target.js';
import { candidatePort } from './candidate-port.js';

/** runtime.grpc.port must not be the port of a canary or blue-green candidate's listener. */
export function checkGrpcListenerPort(
  spec: { readonly certificate_arn?: string | undefined },
  grpc: { readonly enabled: boolean; readonly port: number },
  strategy: ReleaseStrategy,
): SpecIssue[] {
  if (!grpc.enabled || strategy === 'rolling') return [];
  if (grpc.port !== candidatePort(spec.certificate_arn)) return [];
  return [
    {
      scope: 'config',
      path: ['runtime', 'grpc', 'port'],
      message: `runtime.grpc.port ${grpc.port} is the load balancer's port of the ${strategy} candidate's own listener, and a load balancer has one listener per port; give gRPC another port`,
      suggestion: '50051',
    },
  ];
}
