/**
 * What Session Manager needs on the instance, and nothing more. The AWS-managed
 * `AmazonSSMManagedInstanceCore` would also grant `ssm:GetParameter(s)` on every parameter of
 * the account, so the bento's host could read any other deployment's SSM secrets; the actions
 * below are the ones AWS lists for a custom Session Manager instance profile.
 */
import { policyDocument } from '../common/aws-iam.js';

export function sessionManagerPolicy(): string {
  return policyDocument([
    {
      Sid: 'SessionManager',
      Effect: 'Allow',
      Action: [
        'ssm:UpdateInstanceInformation',
        'ssmmessages:CreateControlChannel',
        'ssmmessages:CreateDataChannel',
        'ssmmessages:OpenControlChannel',
        'ssmmessages:OpenDataChannel',
      ],
      Resource: '*',
    },
  ]);
}
