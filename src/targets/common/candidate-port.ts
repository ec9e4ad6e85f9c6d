/**
 * The load balancer port where a canary or blue-green candidate answers alone, for a smoke test
 * before it takes traffic: aws-ec2-gpu's candidate listener and aws-ecs's test listener. A port
 * rather than a header rule, because `apply` and `release status` probe a URL (the
 * `candidate_endpoint` output). Kept apart from the stacks so the definitions can name it
 * without loading cdktf.
 */
export const CANDIDATE_PORT = { http: 8080, https: 8443 } as const;

/** The candidate's port: HTTPS with a certificate, as the production listener is; HTTP without. */
export function candidatePort(certificateArn: string | undefined): number {
  return certificateArn === undefined ? CANDIDATE_PORT.http : CANDIDATE_PORT.https;
}
