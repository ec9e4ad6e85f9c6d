/**
 * The approval step of an aws-ecs blue-green release, on ECS's own deployment lifecycle hooks:
 * ECS invokes a small Lambda at POST_TEST_TRAFFIC_SHIFT (the new tasks are up and healthy, all
 * production traffic still on the old ones), and the Lambda answers from an SSM parameter that
 * Terraform writes from the `bentoctl_approval` variable (src/targets/traffic-split.ts), which
 * bentoctl sets at plan time from the traffic state in the Terraform state. `bentoctl release
 * promote` approves the revision (the next call answers SUCCEEDED and ECS shifts), `release
 * abort` rejects it (FAILED: ECS rolls back). The source is approval-hook-source.ts.
 *
 * Least privilege: the Lambda's role reads that one parameter and writes its one log group; the
 * role ECS invokes it with may invoke that one function.
 */
import { createHash } from 'node:crypto';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import type { EcsServiceDeploymentConfigurationLifecycleHook } from '@cdktf/provider-aws/lib/ecs-service/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function/index.js';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter/index.js';
import { Fn, TerraformVariable, type TerraformStack } from 'cdktf';
import { strToU8, zipSync } from 'fflate';
import { APPROVAL_VARIABLE, APPROVAL_VARIABLE_TYPE, approvedRevision } from '../traffic-split.js';
import { assumeRolePolicy, iamName, policyDocument } from '../common/aws-iam.js';
import type { AwsAccount } from '../common/aws-provider.js';
import { fitName } from '../common/naming.js';
import {
  APPROVAL_HOOK_FILE,
  APPROVAL_HOOK_SOURCE,
  APPROVAL_PARAMETER_ENV,
} from './approval-hook-source.js';

/** The stage ECS asks at: the new tasks run and are healthy, production still on the old ones. */
export const APPROVAL_STAGE = 'POST_TEST_TRAFFIC_SHIFT';
/** Lambda's Node.js runtime; its AWS SDK v3 gives the hook its SSM client. */
export const APPROVAL_HOOK_RUNTIME = 'nodejs22.x';
const APPROVAL_HOOK_ASSET = 'approval-hook.zip';
/** One SSM read and a log line: well inside a second; Lambda bills the time used. */
const HOOK_TIMEOUT_SECONDS = 10;
const HOOK_MEMORY_MIB = 128;
/** Lambda names: at most 64 characters. */
const MAX_FUNCTION_NAME = 64;
/**
 * Fixed so the zip's bytes depend on the source alone. Zip times are local wall-clock fields,
 * which fflate reads with the local getters: built from local fields, the same in every zone.
 */
const ZIP_TIME = new Date(1980, 0, 1, 0, 0, 0);

export interface ApprovalHookProps {
  readonly name: string;
  readonly region: string;
  readonly account: AwsAccount;
  /** The revision this stack deploys (the hook details tell the Lambda which one it is asked about). */
  readonly revision: string;
  readonly logRetentionDays: number;
  /** SynthInput.addAsset. */
  readonly addAsset: (name: string, bytes: Uint8Array) => string;
}

export interface ApprovalHook {
  readonly lifecycleHook: EcsServiceDeploymentConfigurationLifecycleHook;
  /** What the service must wait for: ECS checks that its role may invoke the function. */
  readonly dependsOn: readonly IamRolePolicy[];
}

/** `/bentoctl/<deployment>/release-approval` */
export function approvalParameterName(deployment: string): string {
  return `/bentoctl/${deployment}/release-approval`;
}

/** The zip Lambda runs, the same bytes for the same source. */
export function approvalHookZip(): Uint8Array {
  return zipSync(
    { [APPROVAL_HOOK_FILE]: [strToU8(APPROVAL_HOOK_SOURCE), { mtime: ZIP_TIME }] },
    { level: 9 },
  );
}

export function addApprovalHook(stack: TerraformStack, props: ApprovalHookProps): ApprovalHook {
  const { name, region, account } = props;
  const variable = new TerraformVariable(stack, APPROVAL_VARIABLE, {
    type: APPROVAL_VARIABLE_TYPE,
    default: approvedRevision(props.revision),
    description:
      'Which revision ECS may shift the traffic to, and which one it rolls back; bentoctl sets it at plan time (bentoctl release promote / abort).',
  });
  const parameter = new SsmParameter(stack, 'approval_parameter', {
    name: approvalParameterName(name),
    description: `The release approval of ${name}, written by bentoctl (bentoctl release status)`,
    type: 'String',
    tier: 'Standard',
    value: Fn.jsonencode(variable.value),
  });

  const functionName = fitName(`${name}-approval-hook`, MAX_FUNCTION_NAME);
  const logGroup = new CloudwatchLogGroup(stack, 'approval_hook_log_group', {
    name: `/bentoctl/${name}/approval-hook`,
    retentionInDays: props.logRetentionDays,
  });
  const role = new IamRole(stack, 'approval_hook_role', {
    name: iamName(name, region, 'approval-hook'),
    assumeRolePolicy: assumeRolePolicy('lambda.amazonaws.com'),
  });
  // Lambda writes to the group named in its logging config; the group exists, so no
  // logs:CreateLogGroup, and the role reaches no other group or parameter.
  const rolePolicy = new IamRolePolicy(stack, 'approval_hook_role_policy', {
    name: 'read-approval-write-logs',
    role: role.id,
    policy: policyDocument([
      {
        Sid: 'ReadApproval',
        Effect: 'Allow',
        Action: ['ssm:GetParameter'],
        Resource: [parameter.arn],
      },
      {
        Sid: 'WriteLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [`${logGroup.arn}:*`],
      },
    ]),
  });
  const zip = approvalHookZip();
  const hook = new LambdaFunction(stack, 'approval_hook', {
    functionName,
    description: `Answers ECS's ${APPROVAL_STAGE} hook of ${name} from ${approvalParameterName(name)}`,
    role: role.arn,
    runtime: APPROVAL_HOOK_RUNTIME,
    architectures: ['arm64'],
    handler: 'index.handler',
    filename: props.addAsset(APPROVAL_HOOK_ASSET, zip),
    sourceCodeHash: createHash('sha256').update(zip).digest('base64'),
    timeout: HOOK_TIMEOUT_SECONDS,
    memorySize: HOOK_MEMORY_MIB,
    environment: { variables: { [APPROVAL_PARAMETER_ENV]: parameter.name } },
    loggingConfig: { logFormat: 'Text', logGroup: logGroup.name },
    // The first call must find its rights and its log group.
    dependsOn: [rolePolicy, logGroup],
  });

  const invoker = new IamRole(stack, 'approval_invoke_role', {
    name: iamName(name, region, 'approval-invoke'),
    assumeRolePolicy: assumeRolePolicy('ecs.amazonaws.com', account.accountId),
  });
  const invokerPolicy = new IamRolePolicy(stack, 'approval_invoke_role_policy', {
    name: 'invoke-approval-hook',
    role: invoker.id,
    policy: policyDocument([
      {
        Sid: 'InvokeApprovalHook',
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction'],
        Resource: [hook.arn],
      },
    ]),
  });
  return {
    lifecycleHook: {
      hookTargetArn: hook.arn,
      roleArn: invoker.arn,
      lifecycleStages: [APPROVAL_STAGE],
      hookDetails: JSON.stringify({ revision: props.revision }),
    },
    dependsOn: [invokerPolicy],
  };
}
