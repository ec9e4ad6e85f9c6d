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
