import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deploymentPaths } from '../../src/config/deployment-paths.js';
import { loadConfig } from '../../src/config/load.js';
import type { ResolvedConfig } from '../../src/config/resolved-config.js';
import { writeApplyRecord } from '../../src/deploy/deployment-records.js';
import { promoteImage } from '../../src/deploy/promote.js';
import { bentoctlFailure } from '../helpers/bentoctl-failure.js';

const STAGING_REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/iris';
const TESTED = `sha256:${'a'.repeat(64)}`;
const NEWER = `sha256:${'b'.repeat(64)}`;

describe('promoteImage', () => {
  let dir: string;
  let staging: ResolvedConfig;

  function config(name: string, repository?: string): ResolvedConfig {
    const file = join(dir, `${name}.yaml`);
    const image = repository === undefined ? '' : `image:\n  repository: ${repository}\n`;
    writeFileSync(
      file,
      `api_version: v1\nname: ${name}\nbento: ./bento\ntarget: aws-ecs\n${image}`,
    );
    return loadConfig(file);
  }

  function recordBuild(name: string, digest: string): void {
    const paths = deploymentPaths(name, dir);
    mkdirSync(paths.root, { recursive: true });
    const record = { repository: STAGING_REPO, digest, tag: 'v-1234', bento_version: 'v-1234' };
    writeFileSync(paths.buildRecord, JSON.stringify(record));
  }

  function recordApply(name: string, digest: string): void {
    writeApplyRecord(deploymentPaths(name, dir), {
      deployment: name,
      target: 'aws-ecs',
      config_file: `${name}.yaml`,
      applied_at: '2025-01-01T00:00:00.000Z',
      terraform_version: '1.11.4',
      bento_version: 'v-applied',
      image: { repository: STAGING_REPO, digest, ref: `${STAGING_REPO}@${digest}` },
      outputs: {},
    });
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bentoctl-promote-'));
    mkdirSync(join(dir, 'bento'));
    writeFileSync(join(dir, 'bento', 'bento.yaml'), 'service: iris\n');
    staging = config('iris-staging', STAGING_REPO);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('GIVEN staging runs a tested digest and a newer one was built since WHEN promoted THEN prod gets the tested one', async () => {
    recordApply('iris-staging', TESTED);
    recordBuild('iris-staging', NEWER);
    const prod = config('iris-prod', STAGING_REPO);

    const result = await promoteImage({ from: staging, to: prod });

    expect(result).toMatchObject({ digest: TESTED, source: 'apply-record', copied: false });
    expect(result.copy).toBeNull();
    const written = JSON.parse(
      readFileSync(deploymentPaths('iris-prod', dir).buildRecord, 'utf8'),
    ) as Record<string, unknown>;
    // The applied bento version, not the newer build's, and the tag builds give it.
    expect(written).toEqual({
      repository: STAGING_REPO,
      digest: TESTED,
      tag: 'v-applied',
      bento_version: 'v-applied',
      promoted_from: 'iris-staging',
    });
  });

  it('GIVEN staging was only built WHEN promoted THEN the build record digest, tag and version travel', async () => {
    recordBuild('iris-staging', TESTED);

    const result = await promoteImage({
      from: staging,
      to: config('iris-prod', STAGING_REPO),
    });

    expect(result.source).toBe('build-record');
    const written = JSON.parse(readFileSync(result.buildRecord, 'utf8')) as Record<string, unknown>;
    expect(written).toMatchObject({ digest: TESTED, tag: 'v-1234', bento_version: 'v-1234' });
  });

  it('GIVEN prod has its own default ECR repository and no AWS credentials WHEN promoted THEN it fails as an external error and writes nothing', async () => {
    recordApply('iris-staging', TESTED);
    const ecrClient = async () => ({
      send: async () => {
        throw Object.assign(new Error('Could not load credentials from any providers'), {
          name: 'CredentialsProviderError',
        });
      },
    });

    const error = await bentoctlFailure(
      promoteImage({
        from: staging,
        to: config('iris-prod'),
        registry: { providers: { ecrClient } },
      }),
    );

    expect(error).toMatchObject({ code: 'REGISTRY_AUTH_FAILED', exitCode: 3 });
    expect(error.message).toContain('ECR in us-east-1');
    expect(() => readFileSync(deploymentPaths('iris-prod', dir).buildRecord)).toThrow(/ENOENT/);
  });

  it('GIVEN staging has no image recorded WHEN promoted THEN it says to build first', async () => {
    await expect(promoteImage({ from: staging, to: config('iris-prod') })).rejects.toMatchObject({
      code: 'IMAGE_NOT_RECORDED',
    });
  });

  it('GIVEN the same deployment on both sides WHEN promoted THEN it is refused', async () => {
    recordApply('iris-staging', TESTED);

    await expect(promoteImage({ from: staging, to: staging })).rejects.toMatchObject({
      code: 'FLAG_INVALID',
    });
  });
});
