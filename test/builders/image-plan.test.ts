import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_CPU_BASE_IMAGE,
  DEFAULT_CUDA_BASE_IMAGE,
  planImage,
} from '../../src/builders/image-plan.js';
import { loadConfigText } from '../../src/config/load.js';
import { acrName } from '../../src/targets/azure-aks/names.js';
import { repoRoot } from '../helpers/run-cli.js';

describe('planImage', () => {
  let workspace: string;
  beforeAll(() => {
    workspace = mkdtempSync(join(tmpdir(), 'bentoctl-plan-'));
    cpSync(join(repoRoot, 'examples', 'iris'), join(workspace, 'iris'), { recursive: true });
  });
  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  const config = (lines: readonly string[]) =>
    loadConfigText(
      join(workspace, 'deployment_config.yaml'),
      ['api_version: v1', 'name: iris-prod', 'bento: ./iris', ...lines, ''].join('\n'),
    );

  it('GIVEN aws-ecs with no overrides THEN the CPU base, the ECR default and the bento version as tag', async () => {
    const plan = await planImage(config(['target: aws-ecs', 'spec: { region: eu-west-1 }']));
    expect(plan.baseImage).toBe(DEFAULT_CPU_BASE_IMAGE);
    expect(plan.template).toBe('Dockerfile');
    expect(plan.destination).toEqual({
      kind: 'ecr-default',
      region: 'eu-west-1',
      name: 'iris-prod',
      source: 'target-default',
    });
    expect(plan.tag).toBe(plan.bento.version);
    expect(plan.localImage).toBe(`bentoctl/iris-prod:${plan.bento.version}`);
    expect(plan.labels).toMatchObject({
      'io.bentoctl.bento.name': 'iris_classifier',
      'io.bentoctl.bento.source': './iris',
    });
  });

  it('GIVEN device gpu THEN the CUDA base and template; a custom base keeps the plain template', async () => {
    const gpu = await planImage(config(['target: aws-ec2-gpu', 'runtime: { device: gpu }']));
    expect(gpu.baseImage).toBe(DEFAULT_CUDA_BASE_IMAGE);
    expect(gpu.template).toBe('Dockerfile.cuda');
    const custom = await planImage(
      config([
        'target: aws-ec2-gpu',
        'runtime: { device: gpu }',
        'image: { base_image: my/cuda-node:1 }',
      ]),
    );
    expect(custom).toMatchObject({
      baseImage: 'my/cuda-node:1',
      baseImageSource: 'config',
      template: 'Dockerfile',
    });
  });

  it('GIVEN runtime.grpc on THEN the image exposes the gRPC port too; off, only the HTTP port', async () => {
    const aks = [
      'target: azure-aks',
      'spec: { api_server_authorized_ip_ranges: [203.0.113.0/24] }',
    ];
    const on = await planImage(
      config([...aks, 'runtime: { grpc: { enabled: true, port: 50051 } }']),
    );
    expect(on.dockerfile).toMatch(/^EXPOSE 3000 50051$/m);
    const off = await planImage(config([...aks, 'runtime: { grpc: { port: 50051 } }']));
    expect(off.dockerfile).toMatch(/^EXPOSE 3000$/m);
  });

  it('GIVEN --base-image and image.base_image THEN the flag wins', async () => {
    const plan = await planImage(config(['target: aws-ecs', 'image: { base_image: a/b:1 }']), {
      baseImage: 'c/d:2',
    });
    expect(plan).toMatchObject({ baseImage: 'c/d:2', baseImageSource: 'flag' });
    expect(plan.dockerfile).toMatch(/^FROM c\/d:2$/m);
  });

  it('GIVEN google-cloud-run THEN pushes to Artifact Registry named after the deployment', async () => {
    const plan = await planImage(
      config([
        'target: google-cloud-run',
        'spec: { project: my-ml-project, region: europe-west4 }',
      ]),
    );
    expect(plan.destination).toEqual({
      kind: 'repository',
      repository: 'europe-west4-docker.pkg.dev/my-ml-project/iris-prod/iris-prod',
      source: 'target-default',
    });
  });

  it('GIVEN azure-aks THEN pushes to the deployment ACR; image.repository and --registry override', async () => {
    const aks = [
      'target: azure-aks',
      'spec: { location: westeurope, api_server_authorized_ip_ranges: [203.0.113.0/24] }',
    ];
    expect((await planImage(config(aks))).destination).toMatchObject({
      repository: `${acrName('iris-prod', '/iris-prod-rg')}.azurecr.io/iris-prod`,
    });
    expect(
      (await planImage(config([...aks, 'image: { repository: shared.azurecr.io/team/iris }'])))
        .destination,
    ).toEqual({
      kind: 'repository',
      repository: 'shared.azurecr.io/team/iris',
      source: 'config',
    });
    expect((await planImage(config(aks), { registry: '127.0.0.1:5000/ml/' })).destination).toEqual({
      kind: 'repository',
      repository: '127.0.0.1:5000/ml/iris-prod',
      source: 'flag',
    });
  });

  it('GIVEN azure-aks pushing to its own ACR THEN the push gets what creating the registry takes', async () => {
    const aks = [
      'target: azure-aks',
      'spec: { location: westeurope, resource_group: ml-prod, tags: { team: ml }, api_server_authorized_ip_ranges: [203.0.113.0/24] }',
    ];
    const acr = acrName('iris-prod', '/ml-prod');
    const registry = {
      resourceGroup: 'ml-prod',
      location: 'westeurope',
      name: acr,
      sku: 'Standard',
      tags: { team: 'ml', deployment: 'iris-prod', 'managed-by': 'bentoctl' },
    };
    expect((await planImage(config(aks))).destination).toEqual({
      kind: 'repository',
      repository: `${acr}.azurecr.io/iris-prod`,
      source: 'target-default',
      acrRegistry: registry,
    });
    // --registry naming the same ACR is the same repository, which the stack will import.
    expect(
      (await planImage(config(aks), { registry: `${acr}.azurecr.io` })).destination,
    ).toMatchObject({ source: 'flag', acrRegistry: registry });
    const withSubscription = [
      'target: azure-aks',
      'spec: { location: westeurope, subscription_id: 11111111-2222-4333-8444-555555555555, api_server_authorized_ip_ranges: [203.0.113.0/24] }',
    ];
    expect((await planImage(config(withSubscription))).destination).toMatchObject({
      acrRegistry: { subscriptionId: '11111111-2222-4333-8444-555555555555' },
    });
    // The same repository written in image: is the user's registry: nothing to create.
    const given = await planImage(
      config([...aks, `image: { repository: ${acr}.azurecr.io/iris-prod }`]),
    );
    expect(given.destination).not.toHaveProperty('acrRegistry');
  });

  it('GIVEN --registry with a scheme THEN FLAG_INVALID', async () => {
    await expect(
      planImage(config(['target: aws-ecs']), { registry: 'https://r.example.com' }),
    ).rejects.toMatchObject({ code: 'FLAG_INVALID' });
  });

  it('GIVEN .bentoignore excludes the model THEN BENTO_INVALID names the model field', async () => {
    writeFileSync(join(workspace, 'iris', '.bentoignore'), 'models/\n');
    try {
      const failing = planImage(config(['target: aws-ecs']));
      await expect(failing).rejects.toMatchObject({
        code: 'BENTO_INVALID',
        diagnostics: [expect.objectContaining({ field: 'models[0].path' })],
      });
    } finally {
      rmSync(join(workspace, 'iris', '.bentoignore'));
    }
  });
});
