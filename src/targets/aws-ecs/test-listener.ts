/**
 * The candidate's own URL under an aws-ecs canary or blue-green release, on ECS's test traffic:
 * a second listener on the load balancer at the candidate port (as aws-ec2-gpu's candidate
 * listener), HTTP or HTTPS as the production listener is, open to the same sources, whose one
 * rule forwards to both target groups. ECS gets that rule as the service's `test_listener_rule`
 * and, in each deployment, points it at the new tasks' group once they are healthy (the
 * TEST_TRAFFIC_SHIFT stage), before any production traffic moves: so a blue-green candidate
 * answers there while its approval hook waits (POST_TEST_TRAFFIC_SHIFT), and a canary's from
 * then on. Outside a deployment the rule sends to the group in production, as the production
 * rule does, so the URL answers from the revision that serves.
 */
import type { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule/index.js';
import { addDeploymentRule } from './deployment-rule.js';
import type { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group/index.js';
import type { Lb } from '@cdktf/provider-aws/lib/lb/index.js';
import type { TerraformStack } from 'cdktf';
import type { CidrSource } from '../common/aws-security-rules.js';
import { addCandidateListener } from '../common/candidate-listener.js';

export interface TestListenerProps {
  readonly loadBalancer: InstanceType<typeof Lb>;
  /** The load balancer's security group: the candidate port opens there. */
  readonly securityGroupId: string;
  /** Who may reach it: the production listener's sources (endpointSources). */
  readonly sources: readonly CidrSource[];
  /** HTTPS on the candidate port with it, as the production listener. @default - HTTP */
  readonly certificateArn?: string | undefined;
  /** The group the production rule sends to first. */
  readonly primary: InstanceType<typeof LbTargetGroup>;
  /** The group ECS starts the new tasks in (it alternates between the two). */
  readonly alternate: InstanceType<typeof LbTargetGroup>;
}

export interface TestListener {
  /** What the service's advanced configuration names as `test_listener_rule`. */
  readonly rule: InstanceType<typeof LbListenerRule>;
  /** `http(s)://<dns name>:<port>`: the `candidate_endpoint` output. */
  readonly endpoint: string;
  /** CANDIDATE_PORT.http, or .https with a certificate. */
  readonly port: number;
}

/** Adds the listener, its rule and the ingress of the candidate port; see the file comment. */
export function addTestListener(stack: TerraformStack, props: TestListenerProps): TestListener {
  const { listener, endpoint, port } = addCandidateListener(stack, {
    id: 'test_listener',
    loadBalancer: props.loadBalancer,
    securityGroupId: props.securityGroupId,
    sources: props.sources,
    certificateArn: props.certificateArn,
    ingressDescription: 'The candidate revision alone (ECS test traffic), from an allowed source',
    // Never reached (the rule below matches every path), as the production listener's default.
    defaultAction: [{ type: 'forward', targetGroupArn: props.primary.arn }],
  });
  // ECS requires each of the two groups on the production or the test rule, and one of them
  // taking the traffic: the same weights as the production rule.
  const rule = addDeploymentRule(stack, 'test_listener_rule', {
    listenerArn: listener.arn,
    primaryArn: props.primary.arn,
    alternateArn: props.alternate.arn,
  });
  return { rule, endpoint, port };
}
