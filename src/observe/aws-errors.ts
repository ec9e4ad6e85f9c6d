/**
 * AWS SDK failures as bentoctl errors that name the IAM action a call needs: an SDK error's
 * `name` is the service's error code (AccessDeniedException for JSON APIs, AccessDenied for
 * query APIs such as Auto Scaling and ELBv2).
 */
import { errors } from '../errors/index.js';

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'ExpiredToken',
  'TokenRefreshRequired',
]);
const DENIED_ERRORS = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'AuthorizationError',
]);
const AWS_CREDENTIALS_HINT =
  'Configure AWS credentials for the account the deployment runs in (AWS_PROFILE, `aws sso login`, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY).';

export interface AwsCall {
  /** `CloudWatch Logs FilterLogEvents` */
  readonly api: string;
  /** `the log group /bentoctl/iris-prod in us-east-1` */
  readonly resource: string;
  /** The IAM action, e.g. `logs:FilterLogEvents`. */
  readonly action: string;
  /** Error names that mean the resource does not exist. */
  readonly notFound?: readonly string[];
}

export function awsCallError(call: AwsCall, error: unknown) {
  const name = error instanceof Error ? error.name : undefined;
  // Our messages end with their own period.
  const message = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
  const detail = `${name === undefined ? '' : `${name}: `}${message}`;
  if (name !== undefined && CREDENTIAL_ERRORS.has(name)) {
    return errors.cloudCredentialsMissing(call.api, detail, AWS_CREDENTIALS_HINT);
  }
  if (name !== undefined && DENIED_ERRORS.has(name)) {
    return errors.cloudAccessDenied(
      call.api,
      call.resource,
      `${call.action} on ${call.resource}`,
      detail,
    );
  }
  if (name !== undefined && call.notFound?.includes(name) === true) {
    return errors.cloudResourceNotFound(call.api, call.resource, detail);
  }
  return errors.cloudRequestFailed(
    `${call.api} on ${call.resource}`,
    detail,
    name === 'ThrottlingException' || name === 'Throttling'
      ? 'The API throttled the calls: wait a little, or follow with fewer concurrent readers.'
      : undefined,
  );
}

/** The part of every SDK v3 client bentoctl uses; tests inject fakes. */
export interface AwsClientLike {
  send(command: object): Promise<unknown>;
}
