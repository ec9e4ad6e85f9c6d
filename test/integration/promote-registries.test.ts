/**
 * Promotion between real registries: two `docker-registry` instances on 127.0.0.1, the second
 * with basic auth. Images are pushed through the registry API, copied by bentoctl's registry
 * client, and checked by digest at the destination.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyImage } from '../../src/builders/registry-copy/copy-image.js';
import { deploymentPaths } from '../../src/config/deployment-paths.js';
import { loadConfig } from '../../src/config/load.js';
import { promoteImage } from '../../src/deploy/promote.js';
import { bentoctlFailure } from '../helpers/bentoctl-failure.js';
import { hasBlob, pushTestImage, servedDigest } from '../helpers/oci-image.js';
import { registrySkipReason, startRegistry, type Registry } from '../helpers/registry.js';
import { runCli } from '../helpers/run-cli.js';
import { scriptedFetch } from '../helpers/scripted-fetch.js';

const AUTH = { username: 'AWS', password: `pw-${process.pid}` };
const TOKEN_AUTH = { username: 'robot', password: `tok-${process.pid}`, scheme: 'token' as const };
const ECR_REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

describe.skipIf(registrySkipReason({ auth: AUTH }) ?? registrySkipReason({ auth: TOKEN_AUTH }))(
  'promote between registries',
  () => {
    let staging: Registry;
    let production: Registry;
    /** Asks for bearer tokens, as Docker Hub, Artifact Registry and ACR do. */
    let tokened: Registry;
    let dir: string;

    beforeAll(async () => {
      [staging, production, tokened] = await Promise.all([
        startRegistry(),
        startRegistry({ auth: AUTH }),
        startRegistry({ auth: TOKEN_AUTH }),
      ]);
      dir = mkdtempSync(join(tmpdir(), 'bentoctl-promote-it-'));
      mkdirSync(join(dir, 'bento'));
      writeFileSync(join(dir, 'bento', 'bento.yaml'), 'service: iris\n');
    }, 60_000);
    afterAll(async () => {
      await Promise.all([staging?.stop(), production?.stop(), tokened?.stop()]);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const from = (name: string, registry = staging) => ({
      repository: `${registry.host}/${name}`,
      family: 'docker-config' as const,
      credentials: undefined,
      credentialsSource: 'none (open registry)',
    });
    const to = (name: string, password = AUTH.password) => ({
      repository: `${production.host}/${name}`,
      family: 'docker-config' as const,
      credentials: { serveraddress: production.host, username: AUTH.username, password },
      credentialsSource: 'the test',
    });

    it('GIVEN one image WHEN copied to the registry with auth THEN it serves the same digest, by digest and tag', async () => {
      const image = await pushTestImage(staging, 'single', { layerBytes: 40_000 });

      // Small limits, so the config goes in one PUT and the layer in three PATCH chunks.
      const copied = await copyImage({
        source: { ...from('single'), digest: image.digest },
        destination: to('single-prod'),
        tag: 'v-1',
        transfer: { monolithicMaxBytes: 1024, chunkBytes: 16_384 },
      });

      expect(copied).toMatchObject({ digest: image.digest, manifests: 1 });
      expect(copied.blobs).toEqual({ uploaded: 2, mounted: 0, present: 0 });
      expect(await servedDigest(production, 'single-prod', image.digest)).toBe(image.digest);
      expect(await servedDigest(production, 'single-prod', 'v-1')).toBe(image.digest);
      for (const blob of image.blobs)
        expect(await hasBlob(production, 'single-prod', blob)).toBe(true);

      const again = await copyImage({
        source: { ...from('single'), digest: image.digest },
        destination: to('single-prod'),
        tag: 'v-1',
      });
      expect(again.blobs).toEqual({ uploaded: 0, mounted: 0, present: 2 });
    });

    it('GIVEN a multi-platform index WHEN copied THEN the index and every platform keep their digests', async () => {
      const image = await pushTestImage(staging, 'multi', { platforms: 3 });

      const copied = await copyImage({
        source: { ...from('multi'), digest: image.digest },
        destination: to('multi-prod'),
      });

      expect(copied).toMatchObject({ digest: image.digest, manifests: 4 });
      // The base layer the three platforms share is sent once.
      expect(copied.blobs).toEqual({ uploaded: 7, mounted: 0, present: 0 });
      expect(await servedDigest(production, 'multi-prod', image.digest)).toBe(image.digest);
      for (const child of image.children) {
        expect(await servedDigest(production, 'multi-prod', child)).toBe(child);
      }
    });

    it('GIVEN both repositories on one registry WHEN copied THEN every blob is mounted, none uploaded', async () => {
      const image = await pushTestImage(staging, 'mount-src');

      const copied = await copyImage({
        source: { ...from('mount-src'), digest: image.digest },
        destination: from('mount-dst'),
      });

      expect(copied.blobs).toEqual({ uploaded: 0, mounted: 2, present: 0 });
      expect(await servedDigest(staging, 'mount-dst', image.digest)).toBe(image.digest);
    });

    it('GIVEN a wrong password or none WHEN copied THEN the error names the registry, the step, the status and what to do', async () => {
      const image = await pushTestImage(staging, 'denied');
      const source = { ...from('denied'), digest: image.digest };

      const wrong = await bentoctlFailure(
        copyImage({ source, destination: to('denied-prod', 'nope') }),
      );
      expect(wrong.code).toBe('REGISTRY_ACCESS_DENIED');
      expect(wrong.message).toContain(`to ${production.host}/denied-prod`);
      expect(wrong.message).toContain('HTTP 401');
      expect(wrong.hint).toContain(`rejected the credentials from the test`);

      const none = await bentoctlFailure(
        copyImage({ source, destination: { ...to('denied-prod'), credentials: undefined } }),
      );
      expect(none.code).toBe('REGISTRY_ACCESS_DENIED');
      expect(none.hint).toContain(`docker login ${production.host}`);
      expect(await servedDigest(production, 'denied-prod', image.digest)).toBeUndefined();
    });

    it('GIVEN a registry with a bearer challenge WHEN copied into it and then within it THEN tokens carry exactly the scopes needed and the second copy mounts', async () => {
      const image = await pushTestImage(staging, 'bearer');
      const tokenSide = (name: string, password = TOKEN_AUTH.password) => ({
        repository: `${tokened.host}/${name}`,
        family: 'docker-config' as const,
        credentials: { serveraddress: tokened.host, username: TOKEN_AUTH.username, password },
        credentialsSource: 'the test',
      });

      const first = await copyImage({
        source: { ...from('bearer'), digest: image.digest },
        destination: tokenSide('bearer-a'),
      });
      const second = await copyImage({
        source: { ...tokenSide('bearer-a'), digest: image.digest },
        destination: tokenSide('bearer-b'),
      });

      expect(first.blobs.uploaded).toBe(2);
      expect(second.blobs).toEqual({ uploaded: 0, mounted: 2, present: 0 });
      expect(await servedDigest(tokened, 'bearer-b', image.digest)).toBe(image.digest);
      // One token per scope set, asked once each: push on the destination; for the mount, push on
      // the destination and pull on the source together.
      const asked = tokened.tokens?.scopes.map((scopes) => scopes.join(' ')) ?? [];
      expect(asked).toContain('repository:bearer-a:pull,push');
      expect(asked).toContain('repository:bearer-b:pull,push repository:bearer-a:pull');
      expect(new Set(asked).size).toBe(asked.length);

      const wrong = await bentoctlFailure(
        copyImage({
          source: { ...from('bearer'), digest: image.digest },
          destination: tokenSide('bearer-c', 'nope'),
        }),
      );
      expect(wrong.code).toBe('REGISTRY_ACCESS_DENIED');
      expect(wrong.message).toContain(`the token service of ${tokened.host}) answered HTTP 401`);
    });

    it('GIVEN an aws-ecs production config with no image.repository WHEN promoted THEN its own ECR repository is created and receives the digest', async () => {
      const image = await pushTestImage(staging, 'iris-staging');
      const stagingConfig = writeConfig(
        'iris-staging',
        `image:\n  repository: ${staging.host}/iris-staging\n`,
      );
      recordBuild('iris-staging', `${staging.host}/iris-staging`, image.digest);
      const prodConfig = writeConfig('iris-prod', 'spec:\n  region: us-east-1\n');
      const ecrCalls: string[] = [];
      const ecrClient = async () => ({
        send: async (command: { readonly input: object }) => {
          ecrCalls.push(`${command.constructor.name} ${JSON.stringify(command.input)}`);
          switch (command.constructor.name) {
            case 'GetAuthorizationTokenCommand':
              return {
                authorizationData: [
                  {
                    authorizationToken: Buffer.from(`AWS:${AUTH.password}`).toString('base64'),
                    proxyEndpoint: `https://${ECR_REGISTRY}`,
                  },
                ],
              };
            case 'DescribeRepositoriesCommand':
              throw Object.assign(new Error('not found'), { name: 'RepositoryNotFoundException' });
            default:
              return {};
          }
        },
      });
      // The ECR host is served by the production registry, with the ECR token's basic auth.
      const toLocal: typeof fetch = (url, init) =>
        fetch(String(url).replace(`https://${ECR_REGISTRY}`, production.url), init);

      const result = await promoteImage({
        from: loadConfig(stagingConfig),
        to: loadConfig(prodConfig),
        registry: { providers: { ecrClient }, fetch: toLocal },
      });

      expect(result).toMatchObject({
        toRepository: `${ECR_REGISTRY}/iris-prod`,
        digest: image.digest,
        copied: true,
        notes: ['created the ECR repository iris-prod'],
      });
      expect(
        ecrCalls.some((call) =>
          call.startsWith('CreateRepositoryCommand {"repositoryName":"iris-prod"'),
        ),
      ).toBe(true);
      expect(await servedDigest(production, 'iris-prod', image.digest)).toBe(image.digest);
      expect(
        JSON.parse(readFileSync(deploymentPaths('iris-prod', dir).buildRecord, 'utf8')),
      ).toEqual({
        repository: `${ECR_REGISTRY}/iris-prod`,
        digest: image.digest,
        tag: 'v-0001',
        bento_version: 'v-0001',
        promoted_from: 'iris-staging',
      });
    });

    it('GIVEN a google-cloud-run production config with no image.repository WHEN promoted THEN its own Artifact Registry repository is created and receives the digest', async () => {
      const image = await pushTestImage(staging, 'run-staging', { platforms: 2 });
      const stagingConfig = writeConfig(
        'run-staging',
        `image:\n  repository: ${staging.host}/run-staging\n`,
      );
      recordBuild('run-staging', `${staging.host}/run-staging`, image.digest);
      const prodConfig = join(dir, 'run-prod.yaml');
      writeFileSync(
        prodConfig,
        'api_version: v1\nname: run-prod\nbento: ./bento\ntarget: google-cloud-run\nspec:\n  project: ml-prod\n  region: europe-west4\n',
      );
      // The Artifact Registry API: the repository is missing, then created at once.
      const api = scriptedFetch([
        [404, { error: { code: 404 } }],
        [200, { name: 'projects/ml-prod/locations/europe-west4/operations/1', done: true }],
      ]);
      const googleTokens = async () => ({ getAccessToken: async () => 'ya29.test' });
      // The Artifact Registry host is served by the (open) staging registry.
      const toLocal: typeof fetch = (url, init) =>
        fetch(String(url).replace('https://europe-west4-docker.pkg.dev', staging.url), init);

      const result = await promoteImage({
        from: loadConfig(stagingConfig),
        to: loadConfig(prodConfig),
        registry: { providers: { googleTokens, fetch: api.fetch }, fetch: toLocal },
      });

      expect(result).toMatchObject({
        toRepository: 'europe-west4-docker.pkg.dev/ml-prod/run-prod/run-prod',
        digest: image.digest,
        notes: ['created the Artifact Registry repository run-prod'],
      });
      expect(api.calls.map((call) => `${call.method} ${call.url}`)).toEqual([
        'GET https://artifactregistry.googleapis.com/v1/projects/ml-prod/locations/europe-west4/repositories/run-prod',
        'POST https://artifactregistry.googleapis.com/v1/projects/ml-prod/locations/europe-west4/repositories?repositoryId=run-prod',
      ]);
      expect(await servedDigest(staging, 'ml-prod/run-prod/run-prod', image.digest)).toBe(
        image.digest,
      );
    });

    it('GIVEN two configs on the two registries WHEN `bentoctl promote` runs THEN it exits 0 and --to records the digest the destination serves', async () => {
      const image = await pushTestImage(staging, 'cli-staging', { platforms: 2 });
      const stagingConfig = writeConfig(
        'cli-staging',
        `image:\n  repository: ${staging.host}/cli-staging\n`,
      );
      recordBuild('cli-staging', `${staging.host}/cli-staging`, image.digest);
      const prodConfig = writeConfig(
        'cli-prod',
        `image:\n  repository: ${production.host}/cli-prod\n`,
      );
      const dockerConfig = join(dir, 'docker');
      mkdirSync(dockerConfig, { recursive: true });
      const auth = Buffer.from(`${AUTH.username}:${AUTH.password}`).toString('base64');
      writeFileSync(
        join(dockerConfig, 'config.json'),
        JSON.stringify({ auths: { [production.host]: { auth } } }),
      );

      const result = await runCli(
        ['promote', '--from', stagingConfig, '--to', prodConfig, '--json'],
        {
          env: { DOCKER_CONFIG: dockerConfig },
        },
      );

      expect(result.stderr).not.toContain('Error');
      expect(result.status).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ digest: image.digest, copied: true });
      const record = JSON.parse(
        readFileSync(deploymentPaths('cli-prod', dir).buildRecord, 'utf8'),
      ) as {
        digest: string;
        repository: string;
      };
      expect(record).toMatchObject({
        repository: `${production.host}/cli-prod`,
        digest: image.digest,
      });
      expect(await servedDigest(production, 'cli-prod', image.digest)).toBe(image.digest);
      expect(await servedDigest(production, 'cli-prod', 'v-0001')).toBe(image.digest);
    });

    function writeConfig(name: string, extra: string): string {
      const file = join(dir, `${name}.yaml`);
      // ECS pulls from a registry outside ECR only with credentials (validate checks it).
      const pull =
        extra.includes('image:') && !extra.includes('spec:')
          ? 'spec:\n  image_pull_secret: arn:aws:secretsmanager:us-east-1:123456789012:secret:registry-AbCdEf\n'
          : '';
      writeFileSync(
        file,
        `api_version: v1\nname: ${name}\nbento: ./bento\ntarget: aws-ecs\n${pull}${extra}`,
      );
      return file;
    }

    function recordBuild(name: string, repository: string, digest: string): void {
      const paths = deploymentPaths(name, dir);
      mkdirSync(paths.root, { recursive: true });
      writeFileSync(
        paths.buildRecord,
        JSON.stringify({ repository, digest, tag: 'v-0001', bento_version: 'v-0001' }),
      );
    }
  },
);
