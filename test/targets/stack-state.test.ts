/**
 * A target of several stacks (azure-aks) synthesizes one stack per folder, each with its own
 * state under the deployment's key scheme, the later one reading the earlier one's state.
 */
import { describe, expect, it } from 'vitest';
import { stackState } from '../../src/targets/stack-state.js';
import { synthesizeStacks } from '../../src/targets/synth-stack.js';
import { configText, DIGEST, loadTestConfig, TEST_BENTO_VERSION } from './target-synth-harness.js';
import { imageReference } from '../../src/targets/image-reference.js';

const AKS = 'location: westeurope\napi_server_authorized_ip_ranges: [203.0.113.0/24]';
const AZURERM =
  'state:\n  backend: azurerm\n  resource_group_name: tfstate\n  storage_account_name: tfstate123\n  container_name: state\n';

async function stacks(extra = '') {
  return synthesizeStacks({
    config: loadTestConfig(configText('azure-aks', AKS, extra)),
    image: imageReference('example.azurecr.io/iris', DIGEST),
    bentoVersion: TEST_BENTO_VERSION,
    bentoName: 'iris_classifier',
  });
}

type Json = {
  terraform: { backend: Record<string, unknown> };
  data?: { terraform_remote_state?: Record<string, { backend: string; config: unknown }> };
};

describe('the stacks of azure-aks', () => {
  it('GIVEN an azurerm backend THEN cluster and workload keep two states under the key scheme, the workload reading the cluster', async () => {
    const [cluster, workload] = await stacks(AZURERM);
    expect([cluster?.name, workload?.name]).toEqual(['cluster', 'workload']);
    const backend = (cluster?.stack.json as Json).terraform.backend;
    expect(backend).toEqual({
      azurerm: {
        resource_group_name: 'tfstate',
        storage_account_name: 'tfstate123',
        container_name: 'state',
        key: 'bentoctl/azure-aks/westeurope/iris-prod/cluster.tfstate',
      },
    });
    const json = workload?.stack.json as Json;
    expect(json.terraform.backend).toMatchObject({
      azurerm: { key: 'bentoctl/azure-aks/westeurope/iris-prod/workload.tfstate' },
    });
    expect(json.data?.terraform_remote_state?.cluster).toEqual({
      backend: 'azurerm',
      config: backend.azurerm,
    });
  });

  it('GIVEN local state THEN each stack keeps it in its own folder and the workload reads the sibling', async () => {
    const [cluster, workload] = await stacks();
    expect((cluster?.stack.json as Json).terraform.backend).toEqual({
      local: { path: 'terraform.tfstate' },
    });
    expect((workload?.stack.json as Json).data?.terraform_remote_state?.cluster).toEqual({
      backend: 'local',
      config: { path: '../cluster/terraform.tfstate' },
    });
  });

  it('THEN the Azure resources are in the cluster stack and the Kubernetes ones in the workload stack', async () => {
    const [cluster, workload] = await stacks();
    const types = (json: unknown) =>
      Object.keys((json as { resource: Record<string, unknown> }).resource).sort();
    expect(types(cluster?.stack.json).every((type) => !type.startsWith('kubernetes_'))).toBe(true);
    expect(types(cluster?.stack.json)).toContain('azurerm_kubernetes_cluster');
    expect(types(workload?.stack.json).every((type) => type.startsWith('kubernetes_'))).toBe(true);
    expect(workload?.stack.outputs).toEqual(['endpoint', 'image_repository']);
    expect(workload?.stack.json.provider).not.toHaveProperty('azurerm');
  });
});

describe('stackState', () => {
  const folder = 'bentoctl/azure-aks/westeurope/iris-prod';
  it.each([
    [
      { backend: 's3', bucket: 'b', region: 'eu-west-1', use_lockfile: true, encrypt: true },
      { key: `${folder}/cluster/terraform.tfstate` },
    ],
    [
      {
        backend: 's3',
        bucket: 'b',
        region: 'eu-west-1',
        use_lockfile: true,
        encrypt: true,
        key: 'mine.tfstate',
      },
      { key: 'cluster/mine.tfstate' },
    ],
    [{ backend: 'gcs', bucket: 'b' }, { prefix: `${folder}/cluster` }],
    [{ backend: 'gcs', bucket: 'b', prefix: 'mine' }, { prefix: 'mine/cluster' }],
    [
      {
        backend: 'azurerm',
        resource_group_name: 'r',
        storage_account_name: 's',
        container_name: 'c',
        key: 'prod/iris.tfstate',
      },
      { key: 'prod/iris/cluster.tfstate' },
    ],
    [{ backend: 'local' }, { backend: 'local' }],
    [
      { backend: 'local', path: '../state/iris.tfstate' },
      { path: '../../state/iris/cluster.tfstate' },
    ],
    [
      { backend: 'local', path: '/var/state/iris.tfstate' },
      { path: '/var/state/iris/cluster.tfstate' },
    ],
  ] as const)('GIVEN %j THEN the cluster stack has %j', (state, expected) => {
    expect(stackState(state, folder, 'cluster')).toMatchObject(expected);
  });
});
