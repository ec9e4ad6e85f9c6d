/**
 * The release history as data: when an entry is added, how it is numbered and capped, what the
 * config digest covers, who is recorded, and the backend block the state reader uses (held equal
 * to the one `generate` writes, for every backend).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Release } from '../../src/deploy/deployment-records.js';
import { backendBlock } from '../../src/deploy/read-releases.js';
import {
  configDigest,
  currentActor,
  nextHistory,
  RELEASE_HISTORY_LIMIT,
  type ReleaseCandidate,
} from '../../src/deploy/release-history.js';
import { historyFromOutputs, writeReleaseFile } from '../../src/deploy/release-stack-file.js';
import { synthesizeAwsEcs } from '../../src/targets/aws-ecs/stack.js';
import { makeBentoWorkspace } from '../helpers/bento-fixture.js';
import {
  configText,
  ECR_IMAGE,
  loadTestConfig,
  synthesizeTarget,
} from '../targets/target-synth-harness.js';

const ACTOR = { by: 'ci@runner', runUrl: null };
const candidate = (digest: string, config = 'sha256:config'): ReleaseCandidate => ({
  bentoVersion: 'v1',
  imageRepository: 'registry.example.com/demo',
  imageDigest: digest,
  configDigest: config,
});

describe('nextHistory', () => {
  it('GIVEN the same digest and config as the current release THEN nothing is added', () => {
    const { history } = nextHistory([], candidate('sha256:a'), ACTOR);
    const again = nextHistory(history, candidate('sha256:a'), ACTOR);

    expect(again.added).toBeUndefined();
    expect(again.history).toBe(history);
  });

  it('GIVEN a new digest or a new config THEN a release is added with the next number', () => {
    const first = nextHistory([], candidate('sha256:a'), ACTOR).history;
    const second = nextHistory(first, candidate('sha256:b'), ACTOR).history;
    const third = nextHistory(second, candidate('sha256:b', 'sha256:other'), ACTOR);

    expect(third.history.map((release) => [release.number, release.image_digest])).toEqual([
      [1, 'sha256:a'],
      [2, 'sha256:b'],
      [3, 'sha256:b'],
    ]);
    expect(third.added?.kind).toBe('apply');
  });

  it('GIVEN more releases than the limit THEN the oldest drop off and numbers keep counting', () => {
    let history: readonly Release[] = [];
    for (let n = 0; n < RELEASE_HISTORY_LIMIT + 5; n += 1)
      history = nextHistory(history, candidate(`sha256:${n}`), ACTOR).history;

    expect(history).toHaveLength(RELEASE_HISTORY_LIMIT);
    expect(history[0]?.number).toBe(6);
    expect(history.at(-1)?.number).toBe(RELEASE_HISTORY_LIMIT + 5);
  });

  it('GIVEN a rollback THEN the entry says which release it restores and which it replaces', () => {
    const first = nextHistory([], candidate('sha256:a'), ACTOR).history;
    const second = nextHistory(first, candidate('sha256:b'), ACTOR).history;
    const { added } = nextHistory(
      second,
      { ...candidate('sha256:a'), rollbackTo: first[0]! },
      ACTOR,
    );

    expect(added).toMatchObject({ number: 3, kind: 'rollback', rollback_to: 1, rollback_of: 2 });
  });
});

describe('configDigest', () => {
  const one = makeBentoWorkspace();
  const two = makeBentoWorkspace();
  afterAll(() => {
    rmSync(one, { recursive: true, force: true });
    rmSync(two, { recursive: true, force: true });
  });

  it('GIVEN the same config in two folders THEN the digest is the same; another value changes it', () => {
    const text = configText('aws-ecs', 'region: us-east-1');

    const here = configDigest(loadTestConfig(text, one));
    const there = configDigest(loadTestConfig(text, two));
    const changed = configDigest(loadTestConfig(`${text}env: { LOG_FORMAT: json }\n`, one));

    expect(here).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(there).toBe(here);
    expect(changed).not.toBe(here);
  });
});

describe('currentActor', () => {
  it('GIVEN GitHub Actions THEN the actor and the run URL are recorded', () => {
    expect(
      currentActor({
        GITHUB_ACTIONS: 'true',
        GITHUB_ACTOR: 'octocat',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'acme/iris',
        GITHUB_RUN_ID: '7',
      }),
    ).toEqual({ by: 'github:octocat', runUrl: 'https://github.com/acme/iris/actions/runs/7' });
  });

  it('GIVEN GitLab CI THEN the user and the job URL are recorded', () => {
    expect(
      currentActor({
        GITLAB_CI: 'true',
        GITLAB_USER_LOGIN: 'alice',
        CI_JOB_URL: 'https://gitlab.com/acme/iris/-/jobs/9',
      }),
    ).toEqual({ by: 'gitlab:alice', runUrl: 'https://gitlab.com/acme/iris/-/jobs/9' });
  });

  it('GIVEN no CI THEN the OS user and host are recorded', () => {
    expect(currentActor({}).by).toMatch(/^.+@.+$/);
    expect(currentActor({}).runUrl).toBeNull();
  });
});

describe('the release file', () => {
  const dir = makeBentoWorkspace();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('GIVEN a value with a template sigil THEN it is written literally, and a bad output is refused', () => {
    writeFileSync(
      join(dir, 'main.tf.json'),
      JSON.stringify({ resource: { terraform_data: { service: {} } } }),
    );
    const { history } = nextHistory([], candidate('sha256:a'), { by: 'x${y}@h', runUrl: null });

    const file = writeReleaseFile(dir, history);

    const json = JSON.parse(readFileSync(file, 'utf8')) as {
      resource: {
        terraform_data: { bentoctl_release_history: { input: Release[]; depends_on: string[] } };
      };
    };
    const resource = json.resource.terraform_data.bentoctl_release_history;
    expect(resource.input[0]?.by).toBe('x$${y}@h');
    expect(resource.depends_on).toEqual(['terraform_data.service']);
    expect(() =>
      historyFromOutputs({ bentoctl_releases: { value: [{ number: 'one' }], sensitive: false } }),
    ).toThrow(
      /The release history in the Terraform state \(output bentoctl_releases\) is not valid/,
    );
  });
});

describe('backendBlock', () => {
  it.each([
    [
      's3',
      'state:\n  backend: s3\n  bucket: my-state\n  region: eu-west-1\n  dynamodb_table: locks\n',
    ],
    ['gcs', 'state:\n  backend: gcs\n  bucket: my-state\n'],
    [
      'azurerm',
      'state:\n  backend: azurerm\n  resource_group_name: tfstate\n  storage_account_name: tfstate123\n  container_name: state\n',
    ],
    ['local, absolute', 'state:\n  backend: local\n  path: /srv/state/iris.tfstate\n'],
  ])('GIVEN %s THEN the reader uses the backend generate writes', (_name, state) => {
    const text = configText('aws-ecs', 'region: us-east-1', state);
    const config = loadTestConfig(text);
    const stack = synthesizeTarget(synthesizeAwsEcs, config, ECR_IMAGE);

    expect(backendBlock(config.name, config.state, '/anywhere/stack')).toEqual(
      (stack.terraform as { backend: unknown }).backend,
    );
  });

  it('GIVEN a relative local path THEN it is resolved from the stack folder', () => {
    const config = loadTestConfig(
      configText(
        'aws-ecs',
        'region: us-east-1',
        'state:\n  backend: local\n  path: ../s/x.tfstate\n',
      ),
    );

    expect(backendBlock(config.name, config.state, '/w/.bentoctl/iris-prod/stack')).toEqual({
      local: { path: '/w/.bentoctl/iris-prod/s/x.tfstate' },
    });
  });
});
