/**
 * Amazon ECR: a push token from `GetAuthorizationToken` (AWS SDK default credential chain:
 * env, profile, SSO, instance role) and the repository created when missing, with the settings
 * the Terraform stack gives it (src/targets/common/aws-ecr.ts). The SDK loads only here.
 */
import type {
  CreateRepositoryCommandInput,
  DescribeRepositoriesCommandOutput,
  GetAuthorizationTokenCommandOutput,
} from '@aws-sdk/client-ecr';
import { errors } from '../../errors/index.js';
import type { RegistryCredentials } from './registry-credentials.js';

/** The part of the SDK's ECRClient bentoctl uses; tests inject a fake. */
export interface EcrClientLike {
  send(command: { readonly input: object }): Promise<unknown>;
}

export interface EcrLogin {
  /** `<account>.dkr.ecr.<region>.amazonaws.com`, from the token's proxy endpoint. */
  readonly registry: string;
  readonly accountId: string;
  readonly credentials: RegistryCredentials;
}

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'ExpiredToken',
  'TokenRefreshRequired',
]);
const AWS_HINT =
  'Configure AWS credentials for the target account (AWS_PROFILE, `aws sso login`, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) with ecr:GetAuthorizationToken, ecr:DescribeRepositories, ecr:CreateRepository and push permissions.';

export async function createEcrClient(region: string): Promise<EcrClientLike> {
  const { ECRClient } = await import('@aws-sdk/client-ecr');
  return new ECRClient({ region });
}

/** Exchanges the caller's AWS credentials for a registry login (valid 12 hours). */
export async function ecrLogin(client: EcrClientLike, region: string): Promise<EcrLogin> {
  const { GetAuthorizationTokenCommand } = await import('@aws-sdk/client-ecr');
  let output: GetAuthorizationTokenCommandOutput;
  try {
    output = (await client.send(
      new GetAuthorizationTokenCommand({}),
    )) as GetAuthorizationTokenCommandOutput;
  } catch (error) {
    throw awsError(`ECR in ${region}`, 'GetAuthorizationToken', error);
  }
  const data = output.authorizationData?.[0];
  const token = data?.authorizationToken;
  const endpoint = data?.proxyEndpoint;
  if (token === undefined || endpoint === undefined) {
    throw errors.registryAuthFailed(
      `ECR in ${region}`,
      'GetAuthorizationToken returned no token or endpoint',
      AWS_HINT,
    );
  }
  // The token is base64 of "AWS:<password>".
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const registry = endpoint.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  const accountId = /^(\d{12})\./.exec(registry)?.[1];
  if (colon <= 0 || accountId === undefined) {
    throw errors.registryAuthFailed(
      `ECR in ${region}`,
      `GetAuthorizationToken returned an unexpected token or endpoint (${registry})`,
      AWS_HINT,
    );
  }
  return {
    registry,
    accountId,
    credentials: {
      serveraddress: registry,
      username: decoded.slice(0, colon),
      password: decoded.slice(colon + 1),
    },
  };
}

/** Settings of a repository bentoctl creates; the same as the stack's aws_ecr_repository. */
export function ecrRepositorySettings(name: string): CreateRepositoryCommandInput {
  return {
    repositoryName: name,
    imageTagMutability: 'IMMUTABLE',
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfiguration: { encryptionType: 'AES256' },
    tags: [{ Key: 'managed-by', Value: 'bentoctl' }],
  };
}

/** Creates the repository unless it exists; says which happened. */
export async function ensureEcrRepository(
  client: EcrClientLike,
  name: string,
): Promise<'exists' | 'created'> {
  const { CreateRepositoryCommand, DescribeRepositoriesCommand } =
    await import('@aws-sdk/client-ecr');
  try {
    const found = (await client.send(
      new DescribeRepositoriesCommand({ repositoryNames: [name] }),
    )) as DescribeRepositoriesCommandOutput;
    if ((found.repositories ?? []).some((repository) => repository.repositoryName === name))
      return 'exists';
  } catch (error) {
    if (errorName(error) !== 'RepositoryNotFoundException')
      throw awsError(`ECR repository ${name}`, 'DescribeRepositories', error);
  }
  try {
    await client.send(new CreateRepositoryCommand(ecrRepositorySettings(name)));
    return 'created';
  } catch (error) {
    // Another build created it between the two calls.
    if (errorName(error) === 'RepositoryAlreadyExistsException') return 'exists';
    throw awsError(`ECR repository ${name}`, 'CreateRepository', error);
  }
}

function awsError(what: string, call: string, error: unknown) {
  const name = errorName(error);
  const message = error instanceof Error ? error.message : String(error);
  const detail = `${call} failed${name ? ` (${name})` : ''}: ${message}`;
  if (name !== undefined && (CREDENTIAL_ERRORS.has(name) || name === 'AccessDeniedException')) {
    return errors.registryAuthFailed(what, detail, AWS_HINT);
  }
  return errors.registryAuthFailed(
    what,
    detail,
    'Check the region and network access to the ECR API, then rerun.',
  );
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}
