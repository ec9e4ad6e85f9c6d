import type { SpecIssue } from '../target.js';

/** An ALB can only use an ACM certificate from its own region. */
export function checkCertificateRegion(spec: {
  region: string;
  certificate_arn?: string | undefined;
}): SpecIssue[] {
  if (spec.certificate_arn === undefined) return [];
  const certificateRegion = spec.certificate_arn.split(':')[3];
  if (certificateRegion === spec.region) return [];
  return [
    {
      path: ['certificate_arn'],
      message: `the certificate is in ${certificateRegion} but the load balancer is in ${spec.region}; request or import the certificate in ${spec.region}`,
    },
  ];
}

/**
 * An ALB forwards gRPC only from an HTTPS listener (a GRPC target group behind a plain HTTP
 * listener answers every call with an error), so gRPC through the load balancer needs the
 * certificate that listener serves.
 */
export function checkGrpcCertificate(
  spec: { certificate_arn?: string | undefined },
  grpc: { readonly enabled: boolean; readonly port: number },
): SpecIssue[] {
  if (!grpc.enabled || spec.certificate_arn !== undefined) return [];
  return [
    {
      path: ['certificate_arn'],
      message: `runtime.grpc is on, and the load balancer forwards gRPC only from an HTTPS listener (port ${grpc.port}); set certificate_arn (an ACM certificate in the load balancer's region), or turn runtime.grpc off`,
    },
  ];
}
