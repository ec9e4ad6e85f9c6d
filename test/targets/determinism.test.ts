import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { labelValue, stackLabels } from '../../src/targets/stack-labels.js';
import { stableJson } from '../../src/targets/stable-json.js';
import { imageReference } from '../../src/targets/image-reference.js';
import { Testing } from 'cdktf';
import type { TargetName } from '../../src/targets/names.js';
import { outputsOf } from '../../src/targets/declare-outputs.js';
import { getTarget } from '../../src/targets/registry.js';
import {
  addDeploymentStack,
  synthesizeStack,
  synthesizeStacks,
  type SynthesizedStack,
  type TerraformJson,
} from '../../src/targets/synth-stack.js';
import { makeBentoWorkspace } from '../helpers/bento-fixture.js';
import {
  configText,
  ECR_IMAGE,
  ECR_REPOSITORY,
  loadTestConfig,
  stackInput,
} from './target-synth-harness.js';

// One workspace for the file, so that the checks below can look for its path in the output.
const workspace = makeBentoWorkspace();
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

/** What `generate` writes for a config text, bytes and all. */
const synth = (text: string): Promise<SynthesizedStack> =>
  synthesizeStack(stackInput(loadTestConfig(text, workspace), ECR_IMAGE));

/** Every stack `generate` writes for a config text, in apply order (azure-aks has two). */
const synthAll = async (text: string) => {
  const stacks = (
    await synthesizeStacks(stackInput(loadTestConfig(text, workspace), ECR_IMAGE))
  ).map((part) => part.stack);
  return {
    /** The stack files one after the other. */
    text: stacks.map((stack) => stack.text).join(''),
    /** The target's outputs: the last stack's, the one that runs the bento. */
    outputs: stacks[stacks.length - 1]?.outputs ?? [],
    /** The logical ID of every resource and data block of every stack. */
    ids: stacks.flatMap((stack) =>
      ['resource', 'data'].flatMap((kind) =>
        Object.values((stack.json[kind] ?? {}) as Record<string, Record<string, unknown>>).flatMap(
          Object.keys,
        ),
      ),
    ),
  };
};

/**
 * Per target: a config that synthesizes with its defaults, a one-field edit of it, the edit a
 * canary or blue-green release of it needs (none: `['', '']`), and a floor
 * on its resource and data blocks so the logical-ID check cannot pass on a near-empty stack.
 * The GCP and Azure configs carry two secrets each: their per-secret blocks are named and
 * ordered by bentoctl, which is where nondeterminism would creep in.
 */
const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/abc';
const GRPC_ON = 'runtime:\n  grpc: { enabled: true }\n';
const CASES = {
  'aws-ecs': {
    text: configText('aws-ecs', 'region: us-east-1\nmax_instances: 4'),
    grpcText: configText(
      'aws-ecs',
      `region: us-east-1\nmax_instances: 4\ncertificate_arn: ${CERTIFICATE}`,
      GRPC_ON,
    ),
    edit: ['max_instances: 4', 'max_instances: 7'],
    releaseEdit: ['', ''],
    minBlocks: 11,
  },
  'aws-ec2-gpu': {
    text: configText(
      'aws-ec2-gpu',
      'region: us-east-1\nmax_instances: 2',
      'runtime:\n  device: gpu\n',
    ),
    grpcText: configText(
      'aws-ec2-gpu',
      `region: us-east-1\nmax_instances: 2\ncertificate_arn: ${CERTIFICATE}`,
      'runtime:\n  device: gpu\n  grpc: { enabled: true }\n',
    ),
    edit: ['max_instances: 2', 'max_instances: 5'],
    releaseEdit: ['', ''],
    minBlocks: 11,
  },
  'google-cloud-run': {
    text: configText(
      'google-cloud-run',
      'project: ml-project-123\nregion: us-central1\nmax_instances: 4',
      'secrets:\n  DB_PASSWORD: db-password\n  API_KEY: projects/ml-project-123/secrets/api-key/versions/3\n',
    ),
    // Cloud Run cannot carry the gRPC port (validate refuses it; google-cloud-run.test.ts).
    grpcText: undefined,
    edit: ['max_instances: 4', 'max_instances: 7'],
    releaseEdit: ['', ''],
    minBlocks: 9,
  },
  'azure-aks': {
    text: configText(
      'azure-aks',
      'location: westeurope\napi_server_authorized_ip_ranges: [203.0.113.0/24]\nmax_instances: 4',
      'secrets:\n  DB_PASSWORD: https://iris-vault.vault.azure.net/secrets/db-password\n  API_KEY: https://iris-vault.vault.azure.net/secrets/api-key\n',
    ),
    grpcText: configText(
      'azure-aks',
      'location: westeurope\napi_server_authorized_ip_ranges: [203.0.113.0/24]\nmax_instances: 4',
      GRPC_ON,
    ),
    edit: ['max_instances: 4', 'max_instances: 7'],
    // Canary and blue-green route through the cluster's Istio add-on.
    releaseEdit: ['max_instances: 4', 'max_instances: 4\n  service_mesh_revision: asm-1-27'],
    minBlocks: 14,
  },
} as const;

/** Lines that differ between two texts of the same shape (a line diff without moves). */
function changedLines(before: string, after: string): number {
  const a = before.split('\n');
  const b = after.split('\n');
  let changed = Math.abs(a.length - b.length);
  for (let index = 0; index < Math.min(a.length, b.length); index += 1) {
    if (a[index] !== b[index]) changed += 1;
  }
  return changed;
}

describe('deterministic synthesis', () => {
  describe.each(Object.entries(CASES))(
    'GIVEN the %s target',
    (target, { text, grpcText, edit, releaseEdit, minBlocks }) => {
      it('WHEN synthesized twice THEN the bytes are identical and free of machine-specific paths', async () => {
        const first = await synthAll(text);
        const second = await synthAll(text);
        expect(second.text).toBe(first.text);
        expect(first.text).not.toContain(workspace);
        expect(first.text).not.toContain(process.cwd());
        expect(first.text).not.toContain('"//"');
      });

      it('WHEN one field changes THEN only a few lines change', async () => {
        const before = await synthAll(text);
        const after = await synthAll(text.replace(edit[0], edit[1]));
        expect(after.text).not.toBe(before.text);
        expect(changedLines(before.text, after.text)).toBeLessThanOrEqual(2);
      });

      it("THEN under each release strategy, with and without gRPC, the stack's outputs are the ones its definition declares (targets show lists them)", async () => {
        const definition = getTarget(target as TargetName);
        const names = (outputs: readonly { name: string }[]) =>
          outputs.map((output) => output.name).sort();
        expect(definition.grpc.served).toBe(grpcText !== undefined);
        const strategies = Object.keys(definition.releaseStrategies);
        expect(strategies).toEqual(['rolling', 'canary', 'blue-green']);
        for (const strategy of strategies) {
          for (const base of grpcText === undefined ? [text] : [text, grpcText]) {
            const configured =
              strategy === 'rolling'
                ? base
                : `${base.replace(releaseEdit[0], releaseEdit[1])}release:\n  strategy: ${strategy}\n`;
            const config = loadTestConfig(configured, workspace);
            const stack = await synthAll(configured);
            expect(stack.outputs, `${strategy}, grpc ${config.runtime.grpc.enabled}`).toEqual(
              names(outputsOf(definition.outputs, config)),
            );
          }
        }
        // Each kind of output shows up somewhere above, so none is left unchecked.
        const all = names(definition.outputs);
        expect(all).toContain('candidate_endpoint');
        expect(all.includes('grpc_endpoint')).toBe(grpcText !== undefined);
      });

      it('THEN every logical ID is the readable construct ID, without a cdktf hash suffix', async () => {
        const blocks = (await synthAll(text)).ids;
        expect(blocks.length).toBeGreaterThanOrEqual(minBlocks);
        for (const id of blocks) expect(id).toMatch(/^[a-z][a-z0-9_]*$/);
      });
    },
  );

  it('GIVEN keys added in different orders WHEN rendered THEN the JSON is the same', () => {
    expect(stableJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: 3 } })).toBe(
      stableJson({ a: { c: 3, d: [2, { y: 2, z: 1 }] }, b: 1 }),
    );
  });
});

describe('state backends', () => {
  it.each([
    ['local default', '', { local: { path: 'terraform.tfstate' } }],
    [
      'local path',
      'state:\n  backend: local\n  path: ../state/iris.tfstate\n',
      { local: { path: '../state/iris.tfstate' } },
    ],
    [
      's3 with lock file and DynamoDB',
      'state:\n  backend: s3\n  bucket: my-state\n  region: eu-west-1\n  dynamodb_table: locks\n',
      {
        s3: {
          bucket: 'my-state',
          key: 'bentoctl/aws-ecs/us-east-1/iris-prod/terraform.tfstate',
          region: 'eu-west-1',
          encrypt: true,
          use_lockfile: true,
          dynamodb_table: 'locks',
        },
      },
    ],
    [
      'gcs',
      'state:\n  backend: gcs\n  bucket: my-state\n',
      { gcs: { bucket: 'my-state', prefix: 'bentoctl/aws-ecs/us-east-1/iris-prod' } },
    ],
    [
      'azurerm',
      'state:\n  backend: azurerm\n  resource_group_name: tfstate\n  storage_account_name: tfstate123\n  container_name: state\n',
      {
        azurerm: {
          resource_group_name: 'tfstate',
          storage_account_name: 'tfstate123',
          container_name: 'state',
          key: 'bentoctl/aws-ecs/us-east-1/iris-prod.tfstate',
        },
      },
    ],
  ])(
    'GIVEN %s WHEN synthesized THEN terraform.backend is configured from state:',
    async (_name, state, backend) => {
      const stack = await synth(configText('aws-ecs', 'region: us-east-1', state));
      expect((stack.json.terraform as { backend: unknown }).backend).toEqual(backend);
    },
  );
});

describe('a release touches what changed', () => {
  /** The `type.name` of every resource whose block differs between the two stacks. */
  const changedResources = (before: TerraformJson, after: TerraformJson): string[] => {
    const blocks = (json: TerraformJson): [string, string][] =>
      Object.entries((json.resource ?? {}) as Record<string, Record<string, unknown>>).flatMap(
        ([type, byName]) =>
          Object.entries(byName).map(([name, block]): [string, string] => [
            `${type}.${name}`,
            stableJson(block),
          ]),
      );
    const old = new Map(blocks(before));
    return blocks(after)
      .filter(([address, text]) => old.get(address) !== text)
      .map(([address]) => address)
      .sort();
  };

  it.each([
    ['aws-ecs', '', ['aws_ecs_service.service', 'aws_ecs_task_definition.task_definition']],
    ['aws-ec2-gpu', 'runtime:\n  device: gpu\n', ['aws_instance.instance']],
  ])(
    'GIVEN %s WHEN only the bento changes THEN only what runs it changes',
    async (target, extra, expected) => {
      const config = loadTestConfig(configText(target, 'region: us-east-1', extra), workspace);
      const release = (version: string) =>
        synthesizeStack({
          config,
          image: imageReference(ECR_REPOSITORY, `sha256:${version.repeat(64)}`),
          bentoVersion: version.repeat(16),
          bentoName: 'iris_classifier',
        });
      const [before, after] = [await release('a'), await release('b')];
      expect(changedResources(before.json, after.json)).toEqual(expected);
      // Provider default tags reach every resource's tags_all: they must not carry the bento.
      expect(stableJson(after.json.provider)).toBe(stableJson(before.json.provider));
    },
  );
});

describe('state keys and Terraform version', () => {
  const S3 = 'state:\n  backend: s3\n  bucket: my-state\n  region: eu-west-1\n';
  const key = async (target: string, spec: string, extra = '') => {
    const stack = await synth(configText(target, spec, `${extra}${S3}`));
    return (stack.json.terraform as { backend: { s3: { key: string } } }).backend.s3.key;
  };

  it('GIVEN one deployment name in two regions or two targets THEN each keeps its own state', async () => {
    const keys = [
      await key('aws-ecs', 'region: us-east-1'),
      await key('aws-ecs', 'region: eu-west-1'),
      await key('aws-ec2-gpu', 'region: us-east-1', 'runtime:\n  device: gpu\n'),
    ];
    expect(keys).toEqual([
      'bentoctl/aws-ecs/us-east-1/iris-prod/terraform.tfstate',
      'bentoctl/aws-ecs/eu-west-1/iris-prod/terraform.tfstate',
      'bentoctl/aws-ec2-gpu/us-east-1/iris-prod/terraform.tfstate',
    ]);
  });

  it.each([
    ['an S3 backend with its lock file', S3, '>= 1.10.0'],
    [
      'an S3 backend locked by DynamoDB',
      `${S3}  use_lockfile: false\n  dynamodb_table: locks\n`,
      '>= 1.5.0',
    ],
    ['local state', '', '>= 1.5.0'],
  ])('GIVEN %s THEN the stack states the Terraform it needs', async (_name, state, version) => {
    const stack = await synth(configText('aws-ecs', 'region: us-east-1', state));
    expect((stack.json.terraform as { required_version: string }).required_version).toBe(version);
  });

  it('GIVEN the stack synthesized by cdktf itself (as `cdktf synth` does) THEN it states the same version', async () => {
    // The constraint is part of the construct tree, not a patch on generate's output, so the
    // benchmark's `cdktf synth` of the same constructs writes the same JSON.
    const config = loadTestConfig(configText('aws-ecs', 'region: us-east-1', S3), workspace);
    const synthesize = await getTarget('aws-ecs').loadSynthesizer();
    const stack = addDeploymentStack(Testing.app(), stackInput(config, ECR_IMAGE), synthesize);
    const json = JSON.parse(Testing.synth(stack)) as { terraform: { required_version: string } };
    expect(json.terraform.required_version).toBe('>= 1.10.0');
  });
});

describe('labels', () => {
  it('GIVEN a bento identity WHEN labelled THEN keys and values follow GCP and Kubernetes rules', () => {
    const labels = stackLabels({
      deployment: 'iris-prod',
      bentoName: 'Iris Classifier!',
      bentoVersion: 'ABCDEF0123',
    });
    expect(labels).toEqual({
      'bento-name': 'iris-classifier',
      'bento-version': 'abcdef0123',
      deployment: 'iris-prod',
      'managed-by': 'bentoctl',
    });
    for (const [key, value] of Object.entries(labels)) {
      expect(key).toMatch(/^[a-z][a-z0-9_-]{0,62}$/);
      expect(value).toMatch(/^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$/);
    }
  });

  it('GIVEN a value longer than 63 characters WHEN sanitized THEN it is cut and ends alphanumeric', () => {
    const value = labelValue(`${'a'.repeat(62)}--tail`);
    expect(value.length).toBeLessThanOrEqual(63);
    expect(value).toMatch(/[a-z0-9]$/);
  });
});
