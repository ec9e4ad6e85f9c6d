/**
 * The load balancer listener where a canary or blue-green candidate answers alone (aws-ec2-gpu's
 * candidate listener, aws-ecs's test listener): on CANDIDATE_PORT, HTTPS with the certificate as
 * the production listener is (HTTP without one), and open to the production port's sources.
 * Each target says what it forwards to; this is the port, its ingress, the listener and the URL
 * that becomes the `candidate_endpoint` output.
 */
import {
  LbListener,
  type LbListenerDefaultAction,
} from '@cdktf/provider-aws/lib/lb-listener/index.js';
import type { Lb } from '@cdktf/provider-aws/lib/lb/index.js';
import type { TerraformStack } from 'cdktf';
import { SSL_POLICY } from './aws-alb.js';
import { allowFromCidrs, type CidrSource } from './aws-security-rules.js';
import { candidatePort } from './candidate-port.js';

export interface CandidateListenerProps {
  /** The listener's construct id. */
  readonly id: string;
  readonly loadBalancer: InstanceType<typeof Lb>;
  /** The load balancer's security group: the candidate port opens there. */
  readonly securityGroupId: string;
  /** Who may reach it: the production listener's sources. */
  readonly sources: readonly CidrSource[];
  /** HTTPS on CANDIDATE_PORT.https with it. @default - HTTP on CANDIDATE_PORT.http */
  readonly certificateArn: string | undefined;
  /** The security group rule's description. */
  readonly ingressDescription: string;
  readonly defaultAction: LbListenerDefaultAction[];
}

export interface CandidateListener {
  readonly listener: LbListener;
  /** CANDIDATE_PORT.http, or .https with a certificate. */
  readonly port: number;
  /** `http(s)://<dns name>:<port>`: the `candidate_endpoint` output. */
  readonly endpoint: string;
}

export function addCandidateListener(
  stack: TerraformStack,
  props: CandidateListenerProps,
): CandidateListener {
  const https = props.certificateArn !== undefined;
  const port = candidatePort(props.certificateArn);
  allowFromCidrs(
    stack,
    {
      id: `alb_ingress_${port}`,
      securityGroupId: props.securityGroupId,
      port,
      description: props.ingressDescription,
    },
    props.sources,
  );
  const listener = new LbListener(stack, props.id, {
    loadBalancerArn: props.loadBalancer.arn,
    port,
    ...(https
      ? { protocol: 'HTTPS', sslPolicy: SSL_POLICY, certificateArn: props.certificateArn }
      : { protocol: 'HTTP' }),
    defaultAction: props.defaultAction,
  });
  return {
    listener,
    port,
    endpoint: `${https ? 'https' : 'http'}://${props.loadBalancer.dnsName}:${port}`,
  };
}
