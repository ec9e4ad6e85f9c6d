/**
 * A listener rule whose target-group weights ECS's native deployments set (CANARY, BLUE_GREEN):
 * every path forwarded to the primary group (100) and the alternate one (0), the split ECS then
 * moves. The production rule of the HTTP and the gRPC listener and the test listener's rule are
 * all this rule: ECS wants both groups on each, one of them taking the traffic.
 */
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule/index.js';
import type { TerraformStack } from 'cdktf';

export interface DeploymentRuleProps {
  readonly listenerArn: string;
  readonly primaryArn: string;
  readonly alternateArn: string;
}

export function addDeploymentRule(
  stack: TerraformStack,
  id: string,
  props: DeploymentRuleProps,
): LbListenerRule {
  return new LbListenerRule(stack, id, {
    listenerArn: props.listenerArn,
    priority: 1,
    // Every path, gRPC methods included (/<package>.<service>/<method>).
    condition: [{ pathPattern: { values: ['/*'] } }],
    action: [
      {
        type: 'forward',
        forward: {
          targetGroup: [
            { arn: props.primaryArn, weight: 100 },
            { arn: props.alternateArn, weight: 0 },
          ],
        },
      },
    ],
    // ECS sets the weights during each deployment; Terraform would otherwise set them back.
    lifecycle: { ignoreChanges: ['action'] },
  });
}
