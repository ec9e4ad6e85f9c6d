import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deploymentPaths } from '../../src/config/deployment-paths.js';
import { loadConfig } from '../../src/config/load.js';
import { generateStack } from '../../src/targets/generate-stack.js';
import { approvalHookZip } from '../../src/targets/aws-ecs/approval-hook.js';
import {
  checkImageReference,
  parseImageReference,
  resolveImage,
} from '../../src/targets/image-reference.js';
import { runCli } from '../helpers/run-cli.js';
import { makeBentoWorkspace } from '../helpers/bento-fixture.js';
import { DIGEST, ECR_REPOSITORY, configText } from './target-synth-harness.js';

const ECS_SPEC = 'region: us-east-1';

const workspaces: string[] = [];
afterAll(() => {
  for (const dir of workspaces) rmSync(dir, { recursive: true, force: true });
});

/** A bento workspace (removed after the file) holding `deployment_config.yaml` with `text`. */
function workspaceWithConfig(text = configText('aws-ecs', ECS_SPEC)): {
  workspace: string;
  config: string;
} {
  const workspace = makeBentoWorkspace();
  workspaces.push(workspace);
  const config = join(workspace, 'deployment_config.yaml');
  writeFileSync(config, text);
  return { workspace, config };
}

describe('image references', () => {
  it.each([
    [
      'repo@digest',
      `${ECR_REPOSITORY}@${DIGEST}`,
      { repository: ECR_REPOSITORY, digest: DIGEST, ref: `${ECR_REPOSITORY}@${DIGEST}` },
    ],
    [
      'repo:tag',
      `${ECR_REPOSITORY}:v1`,
      { repository: ECR_REPOSITORY, tag: 'v1', ref: `${ECR_REPOSITORY}:v1` },
    ],
    [
      'repo:tag@digest',
      `${ECR_REPOSITORY}:v1@${DIGEST}`,
      { tag: 'v1', digest: DIGEST, ref: `${ECR_REPOSITORY}@${DIGEST}` },
    ],
    [
      'registry with a port',
      `localhost:5000/iris:abc`,
      { repository: 'localhost:5000/iris', tag: 'abc' },
    ],
  ])('GIVEN %s WHEN parsed THEN repository, tag and digest are split', (_name, value, expected) => {
    expect(parseImageReference(value)).toMatchObject(expected);
  });

  it.each([
    ['no tag or digest', ECR_REPOSITORY],
    ['short digest', `${ECR_REPOSITORY}@sha256:abc`],
    ['upper case repository', 'Example.com/Iris:v1'],
    ['empty tag', `${ECR_REPOSITORY}:`],
  ])('GIVEN %s WHEN parsed THEN it is rejected', (_name, value) => {
    expect(parseImageReference(value)).toBeUndefined();
  });

  it.each([
    [
      'jq output for missing fields',
      'null:null',
      '"null" stands where a repository or tag belongs',
    ],
    ['a lost tag', `${ECR_REPOSITORY}:null`, '"null" stands where'],
    ['a lost registry', 'undefined/iris:v1', '"undefined" stands where'],
    ['an empty string', '', 'it is empty'],
    ['an empty repository', ':v1', 'the repository is empty'],
    ['an empty tag', `${ECR_REPOSITORY}:`, 'the tag after : is empty'],
    ['an empty digest', `${ECR_REPOSITORY}@`, 'the digest after @ is empty'],
    ['a short digest', `${ECR_REPOSITORY}@sha256:abc`, 'is not sha256:<64 lowercase hex>'],
    ['another algorithm', `${ECR_REPOSITORY}@md5:${'a'.repeat(32)}`, 'is not sha256:'],
    ['an empty path part', 'registry.example.com//iris:v1', 'has an empty path part'],
    ['no tag or digest', ECR_REPOSITORY, 'names neither a tag nor a digest'],
  ])('GIVEN %s WHEN checked THEN the problem is named', (_name, value, problem) => {
    const checked = checkImageReference(value);
    expect(checked).toEqual({ problem: expect.stringContaining(problem) });
  });
});

describe('resolveImage', () => {
  it('GIVEN --image and a build record WHEN resolved THEN the flag wins', () => {
    const { workspace } = workspaceWithConfig();
    const record = join(workspace, 'build.json');
    writeFileSync(record, JSON.stringify({ repository: 'example.com/other', digest: DIGEST }));
    const resolved = resolveImage({
      flag: `${ECR_REPOSITORY}@${DIGEST}`,
      buildRecordFile: record,
      deployment: 'iris-prod',
    });
    expect(resolved).toMatchObject({ source: 'flag', image: { repository: ECR_REPOSITORY } });
  });

  it('GIVEN only a build record WHEN resolved THEN its digest and bento version are used', () => {
    const { workspace } = workspaceWithConfig();
    const record = join(workspace, 'build.json');
    writeFileSync(
      record,
      JSON.stringify({
        repository: ECR_REPOSITORY,
        digest: DIGEST,
        tag: 'abc',
        bento_version: 'abc',
        pushed_at: 'x',
      }),
    );
    expect(
      resolveImage({ flag: undefined, buildRecordFile: record, deployment: 'iris-prod' }),
    ).toEqual({
      source: 'build-record',
      bentoVersion: 'abc',
      image: {
        repository: ECR_REPOSITORY,
        digest: DIGEST,
        tag: 'abc',
        ref: `${ECR_REPOSITORY}@${DIGEST}`,
      },
    });
  });

  it.each([
    ['no record', undefined, 'IMAGE_NOT_RECORDED'],
    [
      'a record without digest',
      JSON.stringify({ repository: ECR_REPOSITORY }),
      'BUILD_RECORD_INVALID',
    ],
    ['a record that is not JSON', '{repository', 'BUILD_RECORD_INVALID'],
  ])('GIVEN %s and no --image WHEN resolved THEN it fails with %s', (_name, content, code) => {
    const { workspace } = workspaceWithConfig();
    const record = join(workspace, 'build.json');
    if (content !== undefined) writeFileSync(record, content);
    expect(() =>
      resolveImage({ flag: undefined, buildRecordFile: record, deployment: 'iris-prod' }),
    ).toThrow(expect.objectContaining({ code, kind: 'usage' }));
  });

  it('GIVEN a malformed --image WHEN resolved THEN a usage error names the flag, the problem and the form', () => {
    expect(() =>
      resolveImage({ flag: 'null:null', buildRecordFile: '/nonexistent', deployment: 'iris-prod' }),
    ).toThrow(
      expect.objectContaining({
        code: 'IMAGE_REFERENCE_INVALID',
        kind: 'usage',
        message: expect.stringMatching(/^--image "null:null" is not an image reference: "null"/),
        hint: expect.stringContaining('repository@sha256:<64 hex>'),
      }),
    );
  });
});

describe('generateStack', () => {
  it('GIVEN a build record WHEN generated THEN main.tf.json lands in .bentoctl/<name>/stack with the recorded digest', async () => {
    const { workspace, config } = workspaceWithConfig();
    const paths = deploymentPaths('iris-prod', workspace);
    mkdirSync(paths.root, { recursive: true });
    writeFileSync(
      paths.buildRecord,
      JSON.stringify({ repository: ECR_REPOSITORY, digest: DIGEST, bento_version: 'old' }),
    );

    const result = await generateStack({
      configFile: config,
      cwd: workspace,
      env: {},
      home: workspace,
    });

    expect(result).toMatchObject({
      out: paths.stack,
      file: join(paths.stack, 'main.tf.json'),
      target: 'aws-ecs',
      imageSource: 'build-record',
      outputs: ['endpoint', 'image_repository'],
    });
    expect(result.resources).toBeGreaterThan(30);
    expect(result.warnings).toEqual([expect.stringContaining('built from bento version old')]);
    const written = readFileSync(result.file, 'utf8');
    expect(written).toContain(`${ECR_REPOSITORY}@${DIGEST}`);
    expect(readdirSync(dirname(result.file)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('GIVEN --out and --image WHEN generated THEN the stack is written there', async () => {
    const { workspace, config } = workspaceWithConfig();
    const result = await generateStack({
      configFile: config,
      cwd: workspace,
      out: 'infra/prod',
      image: `${ECR_REPOSITORY}:v1`,
      env: {},
      home: workspace,
    });
    expect(result.out).toBe(join(workspace, 'infra', 'prod'));
    expect(result.warnings).toEqual([expect.stringContaining('referenced by tag')]);
    expect(JSON.parse(readFileSync(result.file, 'utf8')).terraform.backend).toEqual({
      local: { path: 'terraform.tfstate' },
    });
  });

  it('GIVEN aws-ecs blue-green WHEN generated THEN the approval hook zip lands in assets/ beside the stack, and is removed once the stack needs it no more', async () => {
    const { workspace, config } = workspaceWithConfig();
    const generate = () =>
      generateStack({
        configFile: config,
        cwd: workspace,
        image: `${ECR_REPOSITORY}@${DIGEST}`,
        env: {},
        home: workspace,
      });
    writeFileSync(config, configText('aws-ecs', ECS_SPEC, 'release:\n  strategy: blue-green\n'));
    const blueGreen = await generate();
    const zip = join(blueGreen.out, 'assets', 'approval-hook.zip');

    expect(readFileSync(zip)).toEqual(Buffer.from(approvalHookZip()));
    expect(
      JSON.parse(readFileSync(blueGreen.file, 'utf8')).resource.aws_lambda_function.approval_hook
        .filename,
    ).toBe('${path.module}/assets/approval-hook.zip');

    writeFileSync(config, configText('aws-ecs', ECS_SPEC));
    await generate();
    expect(existsSync(join(blueGreen.out, 'assets'))).toBe(false);
  });

  it('GIVEN a config the caller already loaded WHEN generated THEN the file is not read again', async () => {
    const { workspace, config } = workspaceWithConfig();
    const loaded = loadConfig(config, { env: {}, home: workspace });
    rmSync(config);
    const result = await generateStack({
      configFile: config,
      config: loaded,
      cwd: workspace,
      image: `${ECR_REPOSITORY}@${DIGEST}`,
    });
    expect(readFileSync(result.file, 'utf8')).toContain(`${ECR_REPOSITORY}@${DIGEST}`);
  });
});

describe('generateStack: the image must be pullable by the target', () => {
  it.each([
    ['google-cloud-run', 'project: ml-project-123', 'quay.io/team/iris'],
    [
      'azure-aks',
      'location: westeurope\napi_server_authorized_ip_ranges: [203.0.113.0/24]',
      'quay.io/team/iris',
    ],
  ])(
    'GIVEN %s and --image in a registry it cannot pull from WHEN generated THEN IMAGE_NOT_PULLABLE and nothing is written',
    async (target, spec, repository) => {
      const { workspace, config } = workspaceWithConfig(configText(target, spec));
      await expect(
        generateStack({
          configFile: config,
          cwd: workspace,
          image: `${repository}@${DIGEST}`,
          env: {},
          home: workspace,
        }),
      ).rejects.toMatchObject({
        code: 'IMAGE_NOT_PULLABLE',
        message: expect.stringContaining(repository),
      });
      expect(existsSync(join(workspace, '.bentoctl', 'iris-prod', 'stack'))).toBe(false);
    },
  );
});

describe('generateStack: AKS secrets in a local state', () => {
  const aks = 'location: westeurope\napi_server_authorized_ip_ranges: [203.0.113.0/24]';
  const secrets = 'secrets:\n  DB_PASSWORD: https://ml-vault.vault.azure.net/secrets/db-password\n';
  const generate = async (text: string, repository = 'example.azurecr.io/iris') => {
    const { workspace, config } = workspaceWithConfig(text);
    return generateStack({
      configFile: config,
      cwd: workspace,
      image: `${repository}@${DIGEST}`,
      env: {},
      home: workspace,
    });
  };

  it('GIVEN Key Vault secrets and the local backend WHEN generated THEN no warning: the CSI driver reads them, not Terraform', async () => {
    const result = await generate(configText('azure-aks', aks, secrets));
    expect(result.warnings).toEqual([]);
    expect(result.stacks.map((stack) => stack.name)).toEqual(['cluster', 'workload']);
  });

  const withPullSecret = (extra: string) =>
    configText(
      'azure-aks',
      `${aks}\nimage_pull_secret: https://ml-vault.vault.azure.net/secrets/ghcr`,
      extra,
    );

  it('GIVEN an image pull secret and the local backend WHEN generated THEN a warning says it lands in the state file', async () => {
    const result = await generate(withPullSecret(''), 'ghcr.io/acme/iris');
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /spec.image_pull_secret is copied into the Terraform state.*azurerm state backend/,
      ),
    ]);
  });

  it('GIVEN the image pull secret with an azurerm backend WHEN generated THEN no warning', async () => {
    const result = await generate(
      withPullSecret(
        'state: { backend: azurerm, resource_group_name: tf, storage_account_name: tfstate, container_name: tfstate }\n',
      ),
      'ghcr.io/acme/iris',
    );
    expect(result.warnings).toEqual([]);
  });
});

describe('bentoctl generate (CLI)', () => {
  it('GIVEN --image WHEN run THEN it prints the folder, the resource count and the next step', async () => {
    const { workspace, config } = workspaceWithConfig();
    const result = await runCli(
      ['generate', '-f', config, '--image', `${ECR_REPOSITORY}@${DIGEST}`],
      {
        cwd: workspace,
        env: { BENTOCTL_HOME: workspace },
      },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /Wrote \.bentoctl\/iris-prod\/stack\/main\.tf\.json: aws-ecs, \d+ resources/,
    );
    expect(result.stdout).toContain('terraform -chdir=.bentoctl/iris-prod/stack init');
  });

  it('GIVEN azure-aks WHEN run THEN it prints both stacks in apply order and points at bentoctl plan', async () => {
    const { workspace, config } = workspaceWithConfig(
      configText(
        'azure-aks',
        'location: westeurope\napi_server_authorized_ip_ranges: [203.0.113.0/24]',
      ),
    );
    const result = await runCli(
      ['generate', '-f', config, '--image', `example.azurecr.io/iris@${DIGEST}`],
      { cwd: workspace, env: { BENTOCTL_HOME: workspace } },
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /Wrote \.bentoctl\/iris-prod\/stack\/cluster\/main\.tf\.json: \d+ resources\nWrote \.bentoctl\/iris-prod\/stack\/workload\/main\.tf\.json: \d+ resources\nazure-aks: 2 stacks applied in order, outputs endpoint, image_repository/,
    );
    expect(result.stdout).toContain(`Next: bentoctl plan -f ${config}`);
  });

  it('GIVEN --json WHEN run THEN it returns the typed result', async () => {
    const { workspace, config } = workspaceWithConfig();
    const result = await runCli(
      ['generate', '-f', config, '--image', `${ECR_REPOSITORY}@${DIGEST}`, '--json'],
      {
        cwd: workspace,
        env: { BENTOCTL_HOME: workspace },
      },
    );
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      target: 'aws-ecs',
      outputs: ['endpoint', 'image_repository'],
    });
  });

  it('GIVEN no terraform on PATH and an import block in the stack WHEN run THEN it still generates', async () => {
    // cdktf's own validation runs `terraform version` for import blocks; a review job that only
    // synthesizes has no terraform, and plan/apply check the version themselves.
    const { workspace, config } = workspaceWithConfig();
    const emptyBin = join(workspace, 'empty-bin');
    mkdirSync(emptyBin);
    const result = await runCli(
      ['generate', '-f', config, '--image', `${ECR_REPOSITORY}@${DIGEST}`, '--json'],
      { cwd: workspace, env: { BENTOCTL_HOME: workspace, PATH: emptyBin } },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const { file } = JSON.parse(result.stdout) as { file: string };
    expect(JSON.parse(readFileSync(file, 'utf8')).import).toHaveLength(1);
  });

  it('GIVEN no build record and no --image WHEN run THEN it exits 2 and says how to get an image', async () => {
    const { workspace, config } = workspaceWithConfig();
    const result = await runCli(['generate', '-f', config], {
      cwd: workspace,
      env: { BENTOCTL_HOME: workspace },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('IMAGE_NOT_RECORDED');
    expect(result.stderr).toContain('--image');
    expect(existsSync(join(workspace, '.bentoctl', 'iris-prod', 'stack'))).toBe(false);
  });

  it.each([['generate'], ['plan']])(
    'GIVEN %s --image null:null WHEN run THEN it exits 2 naming --image and the fix',
    async (command) => {
      const { workspace, config } = workspaceWithConfig();
      const result = await runCli([command, '-f', config, '--image', 'null:null'], {
        cwd: workspace,
        env: { BENTOCTL_HOME: workspace },
      });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('IMAGE_REFERENCE_INVALID');
      expect(result.stderr).toContain('--image "null:null"');
      expect(result.stderr).toContain('repository@sha256:<64 hex>');
      expect(existsSync(join(workspace, '.bentoctl', 'iris-prod', 'stack'))).toBe(false);
    },
  );
});

describe('the bento checked by generate and validate', () => {
  it('GIVEN a corrupt model WHEN generated THEN it exits 2 at the model path of bento.yaml', async () => {
    const { workspace, config } = workspaceWithConfig();
    writeFileSync(join(workspace, 'iris', 'models', 'iris.onnx'), 'not a real model, stable bytes');
    const image = `${ECR_REPOSITORY}@${DIGEST}`;
    for (const args of [
      ['generate', '-f', config, '--image', image],
      ['validate', '-f', config],
    ]) {
      const result = await runCli(args, { cwd: workspace });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('BENTO_INVALID');
      expect(result.stderr).toMatch(
        /bento\.yaml:\d+:\d+ {2}models\[0\]\.path: cannot read the ONNX model/,
      );
    }
    expect(existsSync(join(workspace, '.bentoctl', 'iris-prod', 'stack'))).toBe(false);
  });

  it('GIVEN a valid model WHEN validated with --deep THEN onnxruntime loads it and --json says so', async () => {
    const { workspace, config } = workspaceWithConfig();
    const result = await runCli(['validate', '-f', config, '--deep', '--json'], { cwd: workspace });
    expect(result.status).toBe(0);
    expect((JSON.parse(result.stdout) as { models: unknown }).models).toEqual({
      checked: true,
      models: 'onnxruntime',
    });
  });
});
