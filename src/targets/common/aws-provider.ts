/**
 * The AWS provider of a stack, with the deployment's labels and the spec's tags as default
 * tags (so every taggable resource carries them), and the account and partition the ARNs and
 * trust policies are built from (GovCloud and China use other partitions).
 */
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity/index.js';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition/index.js';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import type { TerraformStack } from 'cdktf';

export interface AwsAccount {
  readonly accountId: string;
  /** `aws`, `aws-us-gov` or `aws-cn`. */
  readonly partition: string;
  /** Prefix of an AWS-managed policy ARN: `arn:<partition>:iam::aws:policy/`. */
  readonly managedPolicyPrefix: string;
}

export function addAwsProvider(
  stack: TerraformStack,
  props: {
    readonly region: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly tags: Readonly<Record<string, string>>;
  },
): AwsAccount {
  new AwsProvider(stack, 'aws', {
    region: props.region,
    // The user's tags come last: they may override a label, never drop one silently.
    defaultTags: [{ tags: { ...props.labels, ...props.tags } }],
  });
  const caller = new DataAwsCallerIdentity(stack, 'caller');
  const partition = new DataAwsPartition(stack, 'partition');
  return {
    accountId: caller.accountId,
    partition: partition.partition,
    managedPolicyPrefix: `arn:${partition.partition}:iam::aws:policy/`,
  };
}
