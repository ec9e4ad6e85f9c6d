import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { describe, expect, it, vi } from 'vitest';
import {
  ecrLogin,
  ensureEcrRepository,
  type EcrClientLike,
} from '../../../src/builders/registry-auth/ecr.js';

type Handler = (command: { readonly input: object }) => unknown;

function fakeClient(handler: Handler): EcrClientLike & { sent: { name: string; input: object }[] } {
  const sent: { name: string; input: object }[] = [];
  return {
    sent,
    send: vi.fn(async (command: { readonly input: object }) => {
      sent.push({ name: command.constructor.name, input: command.input });
      return handler(command);
    }),
  };
}

const TOKEN = Buffer.from('AWS:secret-password').toString('base64');

describe('ecrLogin', () => {
  it('GIVEN GetAuthorizationToken answers THEN the login has the proxy endpoint host, account and AWS user', async () => {
    const client = fakeClient(() => ({
      authorizationData: [
        {
          authorizationToken: TOKEN,
          proxyEndpoint: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        },
      ],
    }));
    const login = await ecrLogin(client, 'eu-west-1');
    expect(client.sent).toEqual([{ name: GetAuthorizationTokenCommand.name, input: {} }]);
    expect(login).toEqual({
      registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      accountId: '123456789012',
      credentials: {
        serveraddress: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        username: 'AWS',
        password: 'secret-password',
      },
    });
  });

  it('GIVEN no AWS credentials THEN REGISTRY_AUTH_FAILED says how to configure them', async () => {
    const noCredentials = Object.assign(
      new Error('Could not load credentials from any providers'),
      { name: 'CredentialsProviderError' },
    );
    const client = fakeClient(() => {
      throw noCredentials;
    });
    const failing = ecrLogin(client, 'us-east-1');
    await expect(failing).rejects.toMatchObject({ code: 'REGISTRY_AUTH_FAILED', kind: 'external' });
    await expect(failing).rejects.toThrow(
      'No credentials for ECR in us-east-1: GetAuthorizationToken failed (CredentialsProviderError): Could not load credentials from any providers.',
    );
    await expect(failing).rejects.toHaveProperty('hint', expect.stringContaining('AWS_PROFILE'));
  });

  it('GIVEN an answer without a token THEN REGISTRY_AUTH_FAILED', async () => {
    const client = fakeClient(() => ({ authorizationData: [] }));
    await expect(ecrLogin(client, 'us-east-1')).rejects.toThrow(/returned no token or endpoint/);
  });
});

describe('ensureEcrRepository', () => {
  it('GIVEN the repository is missing THEN creates it immutable, scanned and encrypted', async () => {
    const client = fakeClient((command) => {
      if (command instanceof DescribeRepositoriesCommand) {
        throw new RepositoryNotFoundException({ message: 'not found', $metadata: {} });
      }
      return {};
    });
    await expect(ensureEcrRepository(client, 'iris-prod')).resolves.toBe('created');
    expect(client.sent).toEqual([
      { name: DescribeRepositoriesCommand.name, input: { repositoryNames: ['iris-prod'] } },
      {
        name: CreateRepositoryCommand.name,
        input: {
          repositoryName: 'iris-prod',
          imageTagMutability: 'IMMUTABLE',
          imageScanningConfiguration: { scanOnPush: true },
          encryptionConfiguration: { encryptionType: 'AES256' },
          tags: [{ Key: 'managed-by', Value: 'bentoctl' }],
        },
      },
    ]);
  });

  it('GIVEN the repository exists THEN creates nothing', async () => {
    const client = fakeClient(() => ({ repositories: [{ repositoryName: 'iris-prod' }] }));
    await expect(ensureEcrRepository(client, 'iris-prod')).resolves.toBe('exists');
    expect(client.sent.map((call) => call.name)).toEqual([DescribeRepositoriesCommand.name]);
  });

  it('GIVEN creation is denied THEN REGISTRY_AUTH_FAILED names the call and the permission', async () => {
    const client = fakeClient((command) => {
      if (command instanceof DescribeRepositoriesCommand) {
        throw new RepositoryNotFoundException({ message: 'not found', $metadata: {} });
      }
      throw Object.assign(new Error('not authorized to perform: ecr:CreateRepository'), {
        name: 'AccessDeniedException',
      });
    });
    const failing = ensureEcrRepository(client, 'iris-prod');
    await expect(failing).rejects.toThrow(/CreateRepository failed \(AccessDeniedException\)/);
    await expect(failing).rejects.toHaveProperty(
      'hint',
      expect.stringContaining('ecr:CreateRepository'),
    );
  });
});
