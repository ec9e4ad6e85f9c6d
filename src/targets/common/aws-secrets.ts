/**
 * The secrets an AWS deployment reads: `secrets:` plus the bearer token of `runtime.auth`, each
 * a Secrets Manager secret or SSM parameter ARN. ECS injects them; EC2 fetches them at boot;
 * both grant read access to exactly these ARNs and nothing else.
 */
import type { ResolvedConfig } from '../../config/resolved-config.js';
import { errors } from '../../errors/index.js';
import type { SecretReferenceForm } from '../target.js';
import { secretEnvVars } from './secret-env-vars.js';

export type AwsSecretService = 'secretsmanager' | 'ssm';

export interface AwsSecret {
  /** Environment variable the value lands in. */
  readonly name: string;
  /** What the user wrote: the ARN, possibly with `:json-key:version-stage:version-id`. */
  readonly valueFrom: string;
  readonly service: AwsSecretService;
  /** The secret or parameter itself, for `--secret-id` / `--name`. */
  readonly secretArn: string;
  /** The IAM resource that grants reading it. */
  readonly policyResource: string;
  /** A key inside a JSON secret. */
  readonly jsonKey?: string;
  readonly versionStage?: string;
  readonly versionId?: string;
}

const SECRETS_MANAGER =
  /^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+)(?::([^:]*):([^:]*):([^:]*))?$/;
const SSM_PARAMETER = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9/_.-]+$/;
/** Secrets Manager appends 6 random characters to a secret's name in its ARN. */
const RANDOM_SUFFIX = /-[A-Za-z0-9]{6}$/;

const EXPECTED =
  'arn:aws:secretsmanager:<region>:<account>:secret:<name>[:<json-key>:<stage>:<version>] or arn:aws:ssm:<region>:<account>:parameter/<name>';

/** The forms the AWS targets accept, for validation (see SecretReferenceForm). */
export const AWS_SECRET_REFERENCE: SecretReferenceForm = {
  form: EXPECTED,
  isValid: (reference) => SSM_PARAMETER.test(reference) || SECRETS_MANAGER.test(reference),
};

/** The deployment's secrets, sorted by variable name; throws on a value that is not an ARN. */
export function awsSecrets(config: ResolvedConfig): AwsSecret[] {
  return secretEnvVars(config).map(({ name, reference }) => parseAwsSecret(name, reference));
}

export function parseAwsSecret(name: string, valueFrom: string): AwsSecret {
  if (SSM_PARAMETER.test(valueFrom)) {
    return { name, valueFrom, service: 'ssm', secretArn: valueFrom, policyResource: valueFrom };
  }
  const match = SECRETS_MANAGER.exec(valueFrom);
  if (match === null) throw errors.secretReferenceInvalid(name, valueFrom, EXPECTED);
  const [, secretArn = '', jsonKey = '', versionStage = '', versionId = ''] = match;
  return {
    name,
    valueFrom,
    service: 'secretsmanager',
    secretArn,
    // A partial ARN (name without the random suffix) still reads the secret; the policy must
    // then match the suffix, and only the suffix.
    policyResource: RANDOM_SUFFIX.test(secretArn) ? secretArn : `${secretArn}-??????`,
    ...(jsonKey !== '' ? { jsonKey } : {}),
    ...(versionStage !== '' ? { versionStage } : {}),
    ...(versionId !== '' ? { versionId } : {}),
  };
}

/** IAM statements that read exactly these secrets (none when there are none). */
export function secretReadStatements(secrets: readonly AwsSecret[]): Record<string, unknown>[] {
  const statements: Record<string, unknown>[] = [];
  const bySecretsManager = unique(secrets.filter((s) => s.service === 'secretsmanager'));
  const byParameter = unique(secrets.filter((s) => s.service === 'ssm'));
  if (bySecretsManager.length > 0) {
    statements.push({
      Sid: 'ReadSecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: bySecretsManager,
    });
  }
  if (byParameter.length > 0) {
    statements.push({
      Sid: 'ReadParameters',
      Effect: 'Allow',
      Action: ['ssm:GetParameters', 'ssm:GetParameter'],
      Resource: byParameter,
    });
  }
  return statements;
}

function unique(secrets: readonly AwsSecret[]): string[] {
  return [...new Set(secrets.map((secret) => secret.policyResource))].sort();
}
