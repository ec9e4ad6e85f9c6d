import { describe, expect, it } from 'vitest';
import { loadBalancerName } from '../../src/targets/common/aws-alb.js';
import { ecrLocation, ecrRepositoryArn } from '../../src/targets/common/aws-ecr.js';
import type { ResolvedConfig } from '../../src/config/resolved-config.js';
import { awsSecrets, parseAwsSecret } from '../../src/targets/common/aws-secrets.js';
import { endpointSources } from '../../src/targets/common/aws-security-rules.js';
import { splitIpv4Cidr } from '../../src/targets/common/ipv4-subnets.js';

describe('AWS building blocks', () => {
  it.each([
    ['10.0.0.0/16', ['10.0.0.0/18', '10.0.64.0/18', '10.0.128.0/18', '10.0.192.0/18']],
    ['172.31.8.0/22', ['172.31.8.0/24', '172.31.9.0/24', '172.31.10.0/24', '172.31.11.0/24']],
    ['10.1.2.3/24', ['10.1.2.0/26', '10.1.2.64/26', '10.1.2.128/26', '10.1.2.192/26']],
  ])('GIVEN VPC %s WHEN split in four THEN the subnets are its quarters', (cidr, quarters) => {
    expect(splitIpv4Cidr(cidr, 2).all).toEqual(quarters);
  });

  it('GIVEN a deployment named internal-* WHEN the ALB is named THEN it avoids the prefix AWS reserves', () => {
    expect(loadBalancerName('internal-api')).toBe('lb-internal-api');
    expect(loadBalancerName('iris-prod')).toBe('iris-prod');
  });

  it.each([
    [
      'a full ARN',
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf',
      {
        service: 'secretsmanager',
        policyResource: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf',
      },
    ],
    [
      'a partial ARN (no random suffix)',
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db',
      { policyResource: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-??????' },
    ],
    [
      'a JSON key and stage',
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password:AWSCURRENT:',
      {
        secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf',
        jsonKey: 'password',
        versionStage: 'AWSCURRENT',
      },
    ],
    [
      'an SSM parameter',
      'arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/iris/token',
      {
        service: 'ssm',
        policyResource: 'arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/iris/token',
      },
    ],
  ])(
    'GIVEN %s WHEN parsed THEN the policy grants exactly that secret',
    (_name, value, expected) => {
      expect(parseAwsSecret('TOKEN', value)).toMatchObject(expected);
    },
  );

  it('GIVEN allowed CIDRs WHEN turned into rule sources THEN the VPC comes first and IDs follow the CIDR', () => {
    expect(
      endpointSources('10.0.0.0/16', ['10.0.0.0/16', '203.0.113.0/24', '2001:db8::/32']),
    ).toEqual([
      { key: 'vpc', cidr: '10.0.0.0/16' },
      { key: '203_0_113_0_24', cidr: '203.0.113.0/24' },
      { key: '2001_db8_32', cidr: '2001:db8::/32' },
    ]);
  });

  it('GIVEN an image in ECR WHEN located THEN its repository ARN uses the partition of its region', () => {
    const repository = '123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/team/iris';
    const location = ecrLocation(repository);
    expect(location).toEqual({
      accountId: '123456789012',
      region: 'us-gov-west-1',
      name: 'team/iris',
    });
    expect(location && ecrRepositoryArn(location, repository)).toBe(
      'arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/team/iris',
    );
    expect(ecrLocation('ghcr.io/acme/iris')).toBeUndefined();
  });
});

describe('awsSecrets', () => {
  const TOKEN = 'arn:aws:ssm:us-east-1:123456789012:parameter/iris/token';
  const OTHER = 'arn:aws:ssm:us-east-1:123456789012:parameter/iris/other';
  const config = (secrets: Record<string, string>) =>
    ({
      secrets,
      runtime: { auth: { mode: 'bearer', token_env: 'API_TOKEN', secret: TOKEN } },
    }) as unknown as ResolvedConfig;

  it('GIVEN the token variable also listed in secrets with the same ARN THEN it is read once', () => {
    expect(awsSecrets(config({ API_TOKEN: TOKEN })).map((secret) => secret.name)).toEqual([
      'API_TOKEN',
    ]);
  });

  it('GIVEN the token variable listed in secrets with another ARN THEN synthesis refuses', () => {
    expect(() => awsSecrets(config({ API_TOKEN: OTHER }))).toThrow(/keep one of the two/);
  });
});
