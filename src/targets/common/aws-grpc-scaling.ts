/**
 * ALB request-count scaling (`ALBRequestCountPerTarget`) names one target group: the HTTP one.
 * gRPC calls go through the GRPC target group (aws-alb.ts) and so never move it; a deployment
 * that serves mostly gRPC would not scale out. A warning, not an error: traffic may be mostly
 * HTTP, and CPU scaling (aws-ecs) is the way around it.
 */
import type { ResolvedConfig } from '../../config/resolved-config.js';

/** The warning for `runtime.grpc` behind a load balancer that scales on HTTP requests. */
export function grpcScalingWarnings(
  config: Pick<ResolvedConfig, 'runtime'>,
  scalesOnRequests: boolean,
  alternative: string,
): string[] {
  if (!config.runtime.grpc.enabled || !scalesOnRequests) return [];
  return [
    `autoscaling counts the requests of the load balancer's HTTP target group, and gRPC calls go through the gRPC target group, so they do not scale the deployment out; ${alternative}`,
  ];
}
