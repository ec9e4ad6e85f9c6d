import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseKeyVaultReference } from '../../src/targets/azure-aks/key-vault-reference.js';
import { acrName, aksNames, defaultAksImageRepository } from '../../src/targets/azure-aks/names.js';
import { allocatableMillicores, vmSizeVcpus } from '../../src/targets/azure-aks/node-capacity.js';
import type { AzureAksSpec } from '../../src/targets/azure-aks/spec.js';
import { synthesizeAzureAks } from '../../src/targets/azure-aks/stack.js';
import type { ResolvedConfig } from '../../src/config/resolved-config.js';
import type { ImageReference } from '../../src/targets/synthesizer.js';
import {
  expectStackSnapshot,
  changedLeaves,
  loadError,
  loadTestConfig,
  onlyResource,
  resourcesOf,
  mergeStacks,
  synthesizeTargetStacks,
  TEST_IMAGE,
  type TerraformDocument,
} from './target-synth-harness.js';

interface ConfigParts {
  spec?: Record<string, unknown>;
  runtime?: Record<string, unknown>;
  secrets?: Record<string, string>;
  image?: Record<string, unknown>;
  state?: Record<string, unknown>;
  release?: Record<string, unknown>;
}

function configText(parts: ConfigParts = {}): string {
  return stringify({
    api_version: 'v1',
    name: 'iris-prod',
    bento: './iris',
    target: 'azure-aks',
    spec: {
      location: 'westeurope',
      api_server_authorized_ip_ranges: ['203.0.113.0/24'],
      ...parts.spec,
    },
    ...(parts.runtime ? { runtime: parts.runtime } : {}),
    ...(parts.secrets ? { secrets: parts.secrets } : {}),
    ...(parts.image ? { image: parts.image } : {}),
    ...(parts.state ? { state: parts.state } : {}),
    ...(parts.release ? { release: parts.release } : {}),
  });
}

const STACKS = ['cluster', 'workload'] as const;

type AksStacks = Record<(typeof STACKS)[number], TerraformDocument>;

/** Both stacks of a config, by name, as `generate` writes them. */
function aksStacks(config: ResolvedConfig, image?: ImageReference): AksStacks {
  const stacks = synthesizeTargetStacks<AzureAksSpec>(synthesizeAzureAks, config, image);
  expect(Object.keys(stacks)).toEqual([...STACKS]);
  return stacks as AksStacks;
}

/** Both stacks of a config, by name. */
function synthStacks(parts: ConfigParts = {}, image?: ImageReference): AksStacks {
  return aksStacks(loadTestConfig(configText(parts)), image);
}

/** A config's two stacks as one document, for checks that do not depend on the split. */
function synthesizeAks(config: ResolvedConfig, image?: ImageReference): TerraformDocument {
  const stacks = aksStacks(config, image);
  return mergeStacks(STACKS.map((name) => stacks[name]));
}

function synth(parts: ConfigParts = {}): TerraformDocument {
  return synthesizeAks(loadTestConfig(configText(parts)));
}

/** Two GPU pods at most: the pool (one T4 per node) autoscales from 1 to 2 nodes. */
const GPU_PARTS: ConfigParts = {
  spec: { gpu_node_pool: { max_node_count: 2 }, min_instances: 1, max_instances: 2 },
  runtime: { device: 'gpu' },
};
const KV_TOKEN = 'https://ml-vault.vault.azure.net/secrets/api-token';
const KV_DB =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/secrets-rg/providers/Microsoft.KeyVault/vaults/db-vault/secrets/db-password';

interface PodSpec {
  container: {
    image: string;
    env: {
      name: string;
      value?: string;
      value_from?: { secret_key_ref: { name: string; key: string } };
    }[];
    port: { container_port: number }[];
    resources: { requests: Record<string, string>; limits: Record<string, string> };
    readiness_probe: { http_get: { path: string } };
    liveness_probe: { http_get: { path: string } };
    startup_probe: { http_get: { path: string } };
    security_context: Record<string, unknown>;
    volume_mount: { name: string; mount_path: string }[];
  }[];
  security_context: Record<string, unknown>;
  node_selector?: Record<string, string>;
  toleration?: Record<string, string>[];
  termination_grace_period_seconds: number;
  automount_service_account_token: boolean;
  volume: { name: string; empty_dir?: unknown }[];
}

interface DeploymentBlock {
  spec: {
    replicas: string;
    template: { spec: PodSpec; metadata: { annotations?: Record<string, string> } };
  };
  lifecycle: { ignore_changes: string[] };
  depends_on: string[];
}

function deployment(json: TerraformDocument): DeploymentBlock {
  return onlyResource(json, 'kubernetes_deployment_v1') as unknown as DeploymentBlock;
}

function pod(json: TerraformDocument): PodSpec {
  return deployment(json).spec.template.spec;
}

function mainContainer(json: TerraformDocument): PodSpec['container'][number] {
  const first = pod(json).container[0];
  if (first === undefined) throw new Error('the pod has no container');
  return first;
}

function service(json: TerraformDocument): {
  metadata: { annotations?: Record<string, string> };
  spec: {
    type: string;
    port: { port: number; target_port: string }[];
    load_balancer_source_ranges?: string[];
  };
} {
  return onlyResource(json, 'kubernetes_service_v1') as never;
}

describe('azure-aks synthesis', () => {
  describe('GIVEN the defaults', () => {
    const json = synth();

    it('THEN creates the resource group, 30-day Log Analytics and an RBAC cluster reporting to it', () => {
      expect(onlyResource(json, 'azurerm_resource_group')).toMatchObject({
        name: 'iris-prod-rg',
        location: 'westeurope',
      });
      expect(onlyResource(json, 'azurerm_log_analytics_workspace').retention_in_days).toBe(30);
      expect(onlyResource(json, 'azurerm_kubernetes_cluster')).toMatchObject({
        name: 'iris-prod-aks',
        role_based_access_control_enabled: true,
        identity: { type: 'SystemAssigned' },
        default_node_pool: { name: 'system', vm_size: 'Standard_D4s_v5', node_count: 2 },
        network_profile: { network_plugin: 'azure', network_plugin_mode: 'overlay' },
        oms_agent: {
          log_analytics_workspace_id: '${azurerm_log_analytics_workspace.log_analytics.id}',
        },
      });
    });

    it('THEN the registry has no admin user and only the kubelet identity may pull', () => {
      expect(onlyResource(json, 'azurerm_container_registry')).toMatchObject({
        name: acrName('iris-prod', '/iris-prod-rg'),
        sku: 'Standard',
        admin_enabled: false,
      });
      expect(resourcesOf(json, 'azurerm_role_assignment').acr_pull).toEqual(
        expect.objectContaining({
          scope: '${azurerm_container_registry.container_registry.id}',
          role_definition_name: 'AcrPull',
          principal_id: '${azurerm_kubernetes_cluster.cluster.kubelet_identity[0].object_id}',
        }),
      );
      // The grant is in the cluster stack, which applies before the workload is planned.
      expect(deployment(json).depends_on).toEqual([]);
    });

    it('THEN local accounts are off and the kubernetes provider signs in with Entra ID (kubelogin)', () => {
      expect(onlyResource(json, 'azurerm_kubernetes_cluster')).toMatchObject({
        local_account_disabled: true,
        azure_active_directory_role_based_access_control: { azure_rbac_enabled: true },
      });
      expect(json.provider?.kubernetes).toEqual([
        {
          host: '${data.terraform_remote_state.cluster.outputs.kube_host}',
          cluster_ca_certificate:
            '${data.terraform_remote_state.cluster.outputs.kube_cluster_ca_certificate}',
          exec: [
            {
              api_version: 'client.authentication.k8s.io/v1beta1',
              command: 'kubelogin',
              args: [
                'get-token',
                '--login',
                'azurecli',
                '--server-id',
                '6dae42f8-4368-4678-94ff-3960e28e3630',
              ],
            },
          ],
        },
      ]);
    });

    it('THEN whoever runs Terraform is cluster admin through Azure RBAC, and the cluster stack waits for it', () => {
      expect(resourcesOf(json, 'azurerm_role_assignment').cluster_admin).toEqual({
        scope: '${azurerm_kubernetes_cluster.cluster.id}',
        role_definition_name: 'Azure Kubernetes Service RBAC Cluster Admin',
        principal_id: '${data.azurerm_client_config.client_config.object_id}',
      });
      const { cluster, workload } = synthStacks();
      expect(resourcesOf(cluster, 'terraform_data').cluster_admin_propagation).toMatchObject({
        triggers_replace: { cluster_admin: '${azurerm_role_assignment.cluster_admin.id}' },
      });
      // The workload stack is applied only after the cluster stack (and so the wait) is done.
      expect(onlyResource(workload, 'kubernetes_namespace_v1').depends_on).toBeUndefined();
    });

    it('THEN the API server admits only the authorized ranges, and Cilium enforces network policy', () => {
      expect(onlyResource(json, 'azurerm_kubernetes_cluster')).toMatchObject({
        api_server_access_profile: { authorized_ip_ranges: ['203.0.113.0/24'] },
        network_profile: { network_data_plane: 'cilium', network_policy: 'cilium' },
      });
      expect(onlyResource(json, 'kubernetes_network_policy_v1').spec).toEqual({
        pod_selector: {},
        policy_types: ['Ingress', 'Egress'],
        ingress: [{ ports: [{ port: '3000', protocol: 'TCP' }] }],
        egress: [
          {
            ports: [
              { port: '53', protocol: 'UDP' },
              { port: '53', protocol: 'TCP' },
            ],
          },
        ],
      });
    });

    it('THEN Container Insights has a data collection rule, associated with the cluster', () => {
      const rule = onlyResource(json, 'azurerm_monitor_data_collection_rule');
      expect(rule).toMatchObject({
        destinations: {
          log_analytics: [
            {
              name: 'logs',
              workspace_resource_id: '${azurerm_log_analytics_workspace.log_analytics.id}',
            },
          ],
        },
        data_flow: [
          { streams: ['Microsoft-ContainerInsights-Group-Default'], destinations: ['logs'] },
        ],
        data_sources: {
          extension: [
            expect.objectContaining({
              extension_name: 'ContainerInsights',
              streams: ['Microsoft-ContainerInsights-Group-Default'],
            }),
          ],
        },
      });
      expect(onlyResource(json, 'azurerm_monitor_data_collection_rule_association')).toMatchObject({
        target_resource_id: '${azurerm_kubernetes_cluster.cluster.id}',
        data_collection_rule_id: '${azurerm_monitor_data_collection_rule.container_insights.id}',
      });
    });

    it('GIVEN local_accounts THEN the provider signs in with the client certificate, as before', () => {
      const open = synth({ spec: { local_accounts: true } });
      expect(onlyResource(open, 'azurerm_kubernetes_cluster').local_account_disabled).toBe(false);
      expect(resourcesOf(open, 'azurerm_role_assignment').cluster_admin).toBeUndefined();
      const remote = (name: string) => `\${data.terraform_remote_state.cluster.outputs.${name}}`;
      expect(open.provider?.kubernetes).toEqual([
        {
          host: remote('kube_host'),
          client_certificate: remote('kube_client_certificate'),
          client_key: remote('kube_client_key'),
          cluster_ca_certificate: remote('kube_cluster_ca_certificate'),
        },
      ]);
      const { cluster } = synthStacks({ spec: { local_accounts: true } });
      expect(cluster.output?.kube_client_key).toEqual({
        value: '${base64decode(azurerm_kubernetes_cluster.cluster.kube_config[0].client_key)}',
        description: 'Read by the workload stack (bentoctl plumbing)',
        sensitive: true,
      });
    });

    it('THEN pods run the image by digest with requests = limits, probes and a locked-down context', () => {
      const main = mainContainer(json);
      expect(main.image).toBe(TEST_IMAGE.ref);
      expect(main.port[0]?.container_port).toBe(3000);
      expect(main.resources).toEqual({
        requests: { cpu: '1000m', memory: '2048Mi' },
        limits: { cpu: '1000m', memory: '2048Mi' },
      });
      expect(main.readiness_probe.http_get.path).toBe('/readyz');
      expect(main.liveness_probe.http_get.path).toBe('/livez');
      expect(main.startup_probe.http_get.path).toBe('/livez');
      expect(main.security_context).toMatchObject({
        run_as_non_root: true,
        read_only_root_filesystem: true,
        allow_privilege_escalation: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(pod(json).security_context).toMatchObject({ run_as_non_root: true });
      expect(main.volume_mount).toContainEqual({ name: 'tmp', mount_path: '/tmp' });
      expect(pod(json).volume).toContainEqual(
        expect.objectContaining({ name: 'tmp', empty_dir: expect.anything() }),
      );
      expect(pod(json).termination_grace_period_seconds).toBeGreaterThanOrEqual(30);
      expect(pod(json).automount_service_account_token).toBe(false);
    });

    it('THEN the load balancer is internal and forwards service_port to the runtime port', () => {
      const block = service(json);
      expect(block.metadata.annotations).toEqual({
        'service.beta.kubernetes.io/azure-load-balancer-internal': 'true',
      });
      expect(block.spec.type).toBe('LoadBalancer');
      expect(block.spec.port).toEqual([expect.objectContaining({ port: 80, target_port: 'http' })]);
      expect(block.spec.load_balancer_source_ranges).toBeUndefined();
    });

    it('THEN the HPA scales on CPU between min and max and owns the replica count', () => {
      expect(onlyResource(json, 'kubernetes_horizontal_pod_autoscaler_v2').spec).toMatchObject({
        min_replicas: 2,
        max_replicas: 6,
        metric: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', average_utilization: 70 } },
          },
        ],
        scale_target_ref: { kind: 'Deployment' },
      });
      expect(deployment(json).spec.replicas).toBe('2');
      expect(deployment(json).lifecycle.ignore_changes).toEqual(['spec[0].replicas']);
    });

    it('THEN a disruption budget lets nodes drain one pod at a time', () => {
      expect(onlyResource(json, 'kubernetes_pod_disruption_budget_v1').spec).toMatchObject({
        max_unavailable: '1',
      });
    });

    it('THEN nothing GPU-related exists', () => {
      expect(resourcesOf(json, 'azurerm_kubernetes_cluster_node_pool')).toEqual({});
      expect(resourcesOf(json, 'kubernetes_daemon_set_v1')).toEqual({});
      expect(pod(json).toleration).toBeUndefined();
      expect(pod(json).node_selector).toBeUndefined();
      expect(mainContainer(json).resources.limits['nvidia.com/gpu']).toBeUndefined();
    });

    it('THEN tags every Azure resource with the deployment, and only the Deployment and its pods with the bento version', () => {
      for (const type of [
        'azurerm_resource_group',
        'azurerm_log_analytics_workspace',
        'azurerm_kubernetes_cluster',
        'azurerm_container_registry',
      ]) {
        const tags = onlyResource(json, type).tags;
        expect(tags).toMatchObject({ deployment: 'iris-prod', 'managed-by': 'bentoctl' });
        // A release must not retag the cluster, the registry or the group.
        expect(tags).not.toHaveProperty('bento-version');
      }
      const deployment = onlyResource(json, 'kubernetes_deployment_v1') as {
        metadata: { labels: object };
        spec: { template: { metadata: { labels: object } }; selector: { match_labels: object } };
      };
      expect(deployment.metadata.labels).toHaveProperty('bento-version');
      expect(deployment.spec.template.metadata.labels).toHaveProperty('bento-version');
      // The selector is immutable: the version must never be part of it.
      expect(deployment.spec.selector.match_labels).not.toHaveProperty('bento-version');
      expect(onlyResource(json, 'kubernetes_service_v1').metadata).not.toHaveProperty(
        'labels.bento-version',
      );
    });

    it('THEN outputs the load balancer URL and the registry repository', () => {
      expect(json.output?.endpoint?.value).toBe(
        'http://${kubernetes_service_v1.service.status[0].load_balancer[0].ingress[0].ip}',
      );
      const { cluster, workload } = synthStacks();
      expect(cluster.output?.image_repository?.value).toBe(
        '${azurerm_container_registry.container_registry.login_server}/iris-prod',
      );
      expect(workload.output?.image_repository?.value).toBe(
        '${data.terraform_remote_state.cluster.outputs.image_repository}',
      );
    });

    it('THEN matches the reviewed snapshot, stack by stack', async () => {
      const { cluster, workload } = synthStacks();
      await expectStackSnapshot('azure-aks.cluster', cluster);
      await expectStackSnapshot('azure-aks.workload', workload);
    });
  });

  it('GIVEN public with allowed_cidrs THEN the load balancer is public and limited to them', () => {
    const block = service(synth({ spec: { public: true, allowed_cidrs: ['203.0.113.0/24'] } }));
    expect(block.metadata.annotations).toEqual({});
    expect(block.spec.load_balancer_source_ranges).toEqual(['203.0.113.0/24']);
  });

  it('GIVEN allowed_cidrs on a private service THEN the internal load balancer is limited too', () => {
    const block = service(synth({ spec: { allowed_cidrs: ['10.20.0.0/16'] } }));
    expect(block.metadata.annotations).toHaveProperty(
      ['service.beta.kubernetes.io/azure-load-balancer-internal'],
      'true',
    );
    expect(block.spec.load_balancer_source_ranges).toEqual(['10.20.0.0/16']);
  });

  describe('GIVEN a GPU node pool and a GPU runtime', () => {
    const json = synth(GPU_PARTS);

    it('THEN the pool is tainted and labelled so only GPU pods land there', () => {
      expect(onlyResource(json, 'azurerm_kubernetes_cluster_node_pool')).toMatchObject({
        mode: 'User',
        vm_size: 'Standard_NC4as_T4_v3',
        node_taints: ['nvidia.com/gpu=present:NoSchedule'],
        node_labels: { accelerator: 'nvidia' },
      });
    });

    it('THEN pods ask for one GPU, tolerate the taint and select the pool', () => {
      expect(mainContainer(json).resources.limits['nvidia.com/gpu']).toBe('1');
      expect(pod(json).toleration).toEqual([
        { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      ]);
      expect(pod(json).node_selector).toEqual({ accelerator: 'nvidia' });
    });

    it('THEN the NVIDIA device plugin runs on the pool before the deployment rolls out', () => {
      const plugin = onlyResource(json, 'kubernetes_daemon_set_v1') as {
        spec: { template: { spec: { node_selector: unknown; toleration: unknown[] } } };
      };
      expect(plugin.spec.template.spec.node_selector).toEqual({ accelerator: 'nvidia' });
      expect(plugin.spec.template.spec.toleration).toHaveLength(1);
      // The pool is in the cluster stack, applied first; the plugin is in the workload's.
      expect(deployment(json).depends_on).toEqual([
        'kubernetes_daemon_set_v1.nvidia_device_plugin',
      ]);
    });
  });

  describe('GIVEN Key Vault secrets and a bearer token secret', () => {
    const json = synth({
      secrets: { DB_PASSWORD: KV_DB },
      runtime: { auth: { mode: 'bearer', secret: KV_TOKEN } },
    });

    const { cluster, workload } = synthStacks({
      secrets: { DB_PASSWORD: KV_DB },
      runtime: { auth: { mode: 'bearer', secret: KV_TOKEN } },
    });

    it('THEN Terraform never reads a value: no Key Vault secret data source, no Kubernetes secret with data', () => {
      expect(json.data?.azurerm_key_vault_secret).toBeUndefined();
      expect(resourcesOf(json, 'kubernetes_secret_v1')).toEqual({});
      expect(workload.provider).not.toHaveProperty('azurerm');
    });

    it('THEN the cluster runs the Key Vault CSI driver with workload identity', () => {
      expect(onlyResource(cluster, 'azurerm_kubernetes_cluster')).toMatchObject({
        key_vault_secrets_provider: {
          secret_rotation_enabled: true,
          secret_rotation_interval: '2m',
        },
        oidc_issuer_enabled: true,
        workload_identity_enabled: true,
      });
      expect(onlyResource(cluster, 'azurerm_federated_identity_credential')).toEqual({
        name: 'iris-prod-workload',
        resource_group_name: '${azurerm_resource_group.resource_group.name}',
        parent_id: '${azurerm_user_assigned_identity.workload_identity.id}',
        audience: ['api://AzureADTokenExchange'],
        issuer: '${azurerm_kubernetes_cluster.cluster.oidc_issuer_url}',
        subject: 'system:serviceaccount:bentoctl:iris-prod',
      });
    });

    it('THEN the workload identity may read each vault (looked up by name when only the URL is known)', () => {
      const roles = resourcesOf(cluster, 'azurerm_role_assignment');
      expect(roles.key_vault_secrets_user_db_vault).toMatchObject({
        scope:
          '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/secrets-rg/providers/Microsoft.KeyVault/vaults/db-vault',
        role_definition_name: 'Key Vault Secrets User',
        principal_id: '${azurerm_user_assigned_identity.workload_identity.principal_id}',
      });
      expect(roles.key_vault_secrets_user_ml_vault?.scope).toBe(
        '${data.azurerm_resources.key_vault_ml_vault.resources[0].id}',
      );
      expect(cluster.data?.azurerm_resources).toEqual({
        key_vault_ml_vault: { type: 'Microsoft.KeyVault/vaults', name: 'ml-vault' },
      });
    });

    it('THEN one SecretProviderClass per vault, signed in as the identity, syncing a Secret of its variables', () => {
      const classes = resourcesOf(workload, 'kubernetes_manifest');
      expect(Object.keys(classes)).toEqual([
        'secret_provider_class_db_vault',
        'secret_provider_class_ml_vault',
      ]);
      const db = classes.secret_provider_class_db_vault as {
        manifest: {
          kind: string;
          spec: { parameters: Record<string, string>; secretObjects: unknown };
        };
      };
      expect(db.manifest.kind).toBe('SecretProviderClass');
      expect(db.manifest.spec.parameters).toEqual({
        usePodIdentity: 'false',
        clientID: '${data.terraform_remote_state.cluster.outputs.workload_identity_client_id}',
        keyvaultName: 'db-vault',
        tenantId: '${data.terraform_remote_state.cluster.outputs.workload_identity_tenant_id}',
        objects:
          'array:\n  - |\n    objectName: db-password\n    objectAlias: DB_PASSWORD\n    objectType: secret\n',
      });
      expect(db.manifest.spec.secretObjects).toEqual([
        {
          secretName: 'iris-prod-secrets-db-vault',
          type: 'Opaque',
          data: [{ objectName: 'DB_PASSWORD', key: 'DB_PASSWORD' }],
        },
      ]);
    });

    it('THEN the pods mount each vault read-only, as the federated service account, and read the synced Secrets', () => {
      const spec = pod(json) as PodSpec & {
        service_account_name?: string;
        volume: { name: string; csi?: unknown }[];
      };
      expect(spec.service_account_name).toBe(
        '${kubernetes_service_account_v1.service_account.metadata[0].name}',
      );
      expect(onlyResource(workload, 'kubernetes_service_account_v1')).toMatchObject({
        metadata: {
          name: 'iris-prod',
          annotations: {
            'azure.workload.identity/client-id':
              '${data.terraform_remote_state.cluster.outputs.workload_identity_client_id}',
          },
        },
        automount_service_account_token: false,
      });
      expect(spec.volume.find((volume) => volume.name === 'secrets-db-vault')).toEqual({
        name: 'secrets-db-vault',
        csi: {
          driver: 'secrets-store.csi.k8s.io',
          read_only: true,
          volume_attributes: { secretProviderClass: 'iris-prod-secrets-db-vault' },
        },
      });
      const labels = (
        deployment(json).spec.template.metadata as { labels?: Record<string, string> }
      ).labels;
      expect(labels?.['azure.workload.identity/use']).toBe('true');
      const fromSecret = mainContainer(json).env.filter((entry) => entry.value_from !== undefined);
      expect(fromSecret.map((entry) => [entry.name, entry.value_from?.secret_key_ref])).toEqual([
        ['BENTOCTL_AUTH_TOKEN', { name: 'iris-prod-secrets-ml-vault', key: 'BENTOCTL_AUTH_TOKEN' }],
        ['DB_PASSWORD', { name: 'iris-prod-secrets-db-vault', key: 'DB_PASSWORD' }],
      ]);
    });

    it('THEN a changed reference rolls the pods', () => {
      const annotation = (parts: ConfigParts) =>
        deployment(synth(parts)).spec.template.metadata.annotations?.[
          'bentoctl.dev/secret-versions'
        ];
      expect(annotation({ secrets: { DB_PASSWORD: KV_DB } })).toMatch(/^[0-9a-f]{64}$/);
      expect(annotation({ secrets: { DB_PASSWORD: KV_DB } })).not.toBe(
        annotation({ secrets: { DB_PASSWORD: `${KV_TOKEN}/${'a'.repeat(32)}` } }),
      );
    });
  });

  it('GIVEN a secret that is not a Key Vault reference THEN validate names it and the form, before synthesis', () => {
    const failure = loadError(() =>
      loadTestConfig(configText({ secrets: { DB_PASSWORD: 'projects/p/secrets/db' } })),
    );
    expect(failure.code).toBe('CONFIG_INVALID');
    expect(failure.fields).toEqual(['secrets.DB_PASSWORD']);
    expect(failure.text).toMatch(/Key Vault/);
  });

  it('GIVEN a tag value that looks like a template THEN Terraform gets it as a literal', () => {
    // `$${` in the config is a literal `${`; Terraform needs it doubled again in JSON.
    const json = synth({ spec: { tags: { owner: '$${USER}' } } });
    expect(onlyResource(json, 'azurerm_resource_group').tags).toMatchObject({ owner: '$${USER}' });
  });

  it('GIVEN image.repository THEN no registry or pull grant is created and the output names it', () => {
    const repository = 'shared.azurecr.io/models/iris';
    const json = synth({ image: { repository } });
    expect(resourcesOf(json, 'azurerm_container_registry')).toEqual({});
    expect(resourcesOf(json, 'azurerm_role_assignment').acr_pull).toBeUndefined();
    expect(synthStacks({ image: { repository } }).cluster.output?.image_repository?.value).toBe(
      repository,
    );
  });

  describe("GIVEN the image was pushed to the deployment's own ACR", () => {
    // `bentoctl build --push` creates the registry and, when missing, its resource group before
    // the push; without the imports the first apply fails with "already exists".
    const SUBSCRIPTION = '11111111-2222-4333-8444-555555555555';
    type WithImports = TerraformDocument & {
      import?: { to: string; id: string }[];
      terraform?: { required_version?: string };
    };
    function pushedStacks(parts: ConfigParts = {}): Record<keyof AksStacks, WithImports> {
      const config = loadTestConfig(configText(parts));
      const repository = defaultAksImageRepository(config.name, config.spec as AzureAksSpec);
      const image = {
        repository,
        digest: TEST_IMAGE.digest,
        ref: `${repository}@${TEST_IMAGE.digest ?? ''}`,
      };
      return aksStacks(config, image) as Record<keyof AksStacks, WithImports>;
    }
    /** The stack the imports are in: the cluster stack, which holds the registry. */
    function synthPushed(parts: ConfigParts = {}): WithImports {
      return pushedStacks(parts).cluster;
    }

    it('WITH spec.subscription_id THEN the group and the registry are adopted by literal ids', () => {
      const json = synthPushed({ spec: { subscription_id: SUBSCRIPTION } });
      expect(json.import).toEqual([
        {
          to: 'azurerm_resource_group.resource_group',
          id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/iris-prod-rg`,
        },
        {
          to: 'azurerm_container_registry.container_registry',
          id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/iris-prod-rg/providers/Microsoft.ContainerRegistry/registries/${acrName('iris-prod', `${SUBSCRIPTION}/iris-prod-rg`)}`,
        },
      ]);
      // Literal ids work on Terraform 1.5. (The client config is read for the cluster admin
      // role, not for the ids.)
      expect(json.terraform?.required_version).toBe('>= 1.5.0');
    });

    it("WITHOUT spec.subscription_id THEN the ids use the provider's subscription, read at plan time", () => {
      const json = synthPushed({ spec: { resource_group: 'ml-prod', acr_name: 'MlProdRegistry' } });
      const subscription = '${data.azurerm_client_config.client_config.subscription_id}';
      expect(json.import).toEqual([
        {
          to: 'azurerm_resource_group.resource_group',
          id: `/subscriptions/${subscription}/resourceGroups/ml-prod`,
        },
        {
          to: 'azurerm_container_registry.container_registry',
          id: `/subscriptions/${subscription}/resourceGroups/ml-prod/providers/Microsoft.ContainerRegistry/registries/MlProdRegistry`,
        },
      ]);
      expect(json.data?.azurerm_client_config).toEqual({ client_config: {} });
      // An import id that is an expression needs Terraform 1.6.
      expect(json.terraform?.required_version).toBe('>= 1.6.0');
      // The constraint adds to the terraform block; the providers and the backend stay.
      expect(Object.keys(json.terraform ?? {})).toEqual(
        expect.arrayContaining(['backend', 'required_providers']),
      );
    });

    it('WITHOUT spec.subscription_id THEN only the cluster stack, which imports, needs 1.6', () => {
      const { cluster, workload } = pushedStacks({ spec: { resource_group: 'ml-prod' } });
      expect(cluster.terraform?.required_version).toBe('>= 1.6.0');
      expect(workload.import).toBeUndefined();
      expect(workload.terraform?.required_version).toBe('>= 1.5.0');
    });

    it.each([
      ['locked by its lock file', { use_lockfile: true }, '>= 1.10.0'],
      ['locked by DynamoDB', { use_lockfile: false, dynamodb_table: 'locks' }, '>= 1.6.0'],
    ])(
      'WITH an S3 backend %s THEN the newer of its floor and 1.6 is required',
      (_, lock, version) => {
        const state = { backend: 's3', bucket: 'tf-state', region: 'eu-west-1', ...lock };
        const json = synthPushed({ spec: { resource_group: 'ml-prod' }, state });
        expect(json.terraform?.required_version).toBe(version);
      },
    );

    it('WITH an S3 backend locked by its lock file THEN the workload stack needs 1.10 too', () => {
      const state = { backend: 's3', bucket: 'tf-state', region: 'eu-west-1', use_lockfile: true };
      const { workload } = pushedStacks({ spec: { resource_group: 'ml-prod' }, state });
      expect(workload.terraform?.required_version).toBe('>= 1.10.0');
    });

    it("THEN an image in another deployment's own ACR is never adopted", () => {
      const config = loadTestConfig(configText({}));
      const staging = defaultAksImageRepository('iris-staging', config.spec as AzureAksSpec);
      const image = {
        repository: staging,
        digest: TEST_IMAGE.digest,
        ref: `${staging}@${TEST_IMAGE.digest ?? ''}`,
      };
      const json = synthesizeAks(config, image) as WithImports;
      expect(json.import).toBeUndefined();
      // The stack's registry is its own, named after this deployment.
      expect(onlyResource(json, 'azurerm_container_registry')).toMatchObject({
        name: expect.stringMatching(/^irisprod[0-9a-f]{8}$/),
      });
    });

    it('THEN an image elsewhere, or a repository set in image:, imports nothing', () => {
      const elsewhere = synth() as WithImports;
      expect(elsewhere.import).toBeUndefined();
      expect((synthStacks().cluster as WithImports).terraform?.required_version).toBe('>= 1.5.0');
      // The same repository written in image: is the user's registry, not the stack's.
      const own = defaultAksImageRepository('iris-prod', {});
      const config = loadTestConfig(configText({ image: { repository: own } }));
      const image = {
        repository: own,
        digest: TEST_IMAGE.digest,
        ref: `${own}@${TEST_IMAGE.digest ?? ''}`,
      };
      const given = synthesizeAks(config, image);
      expect((given as WithImports).import).toBeUndefined();
    });
  });

  it('GIVEN a pinned patch version THEN the cluster does not follow the patch channel', () => {
    const pinned = onlyResource(
      synth({ spec: { kubernetes_version: '1.31.2' } }),
      'azurerm_kubernetes_cluster',
    );
    expect(pinned.kubernetes_version).toBe('1.31.2');
    expect(pinned.automatic_upgrade_channel).toBeUndefined();
    const minor = onlyResource(
      synth({ spec: { kubernetes_version: '1.31' } }),
      'azurerm_kubernetes_cluster',
    );
    expect(minor.automatic_upgrade_channel).toBe('patch');
  });

  describe('determinism', () => {
    it('GIVEN the same config twice THEN the JSON is identical', () => {
      const parts: ConfigParts = { ...GPU_PARTS, secrets: { DB_PASSWORD: KV_DB } };
      expect(JSON.stringify(synth(parts))).toBe(JSON.stringify(synth(parts)));
    });

    it('GIVEN one field changed THEN only that value changes in the stack', () => {
      expect(changedLeaves(synth(), synth({ spec: { max_instances: 8 } }))).toEqual([
        '/resource/kubernetes_horizontal_pod_autoscaler_v2/autoscaler/spec/max_replicas',
      ]);
    });
  });
});

describe('azure-aks access, scaling and pulls', () => {
  it('GIVEN a GPU pool with max_node_count THEN the cluster autoscaler runs it between the two counts', () => {
    const pool = onlyResource(synth(GPU_PARTS), 'azurerm_kubernetes_cluster_node_pool');
    expect(pool).toMatchObject({ auto_scaling_enabled: true, min_count: 1, max_count: 2 });
    expect(pool).not.toHaveProperty('node_count');
  });

  it('GIVEN a GPU pool without max_node_count THEN it keeps node_count nodes and no autoscaler', () => {
    const pool = onlyResource(
      synth({
        spec: { gpu_node_pool: { node_count: 2 }, min_instances: 1, max_instances: 2 },
        runtime: { device: 'gpu' },
      }),
      'azurerm_kubernetes_cluster_node_pool',
    );
    expect(pool.node_count).toBe(2);
    expect(pool).not.toHaveProperty('auto_scaling_enabled');
  });

  it('GIVEN more GPU pods than the A100 pool holds THEN validate counts GPUs per node', () => {
    // NC48ads_A100_v4 carries two GPUs: 2 nodes hold 4 pods, not 5.
    const parts = (max: number): ConfigParts => ({
      spec: {
        gpu_node_pool: { vm_size: 'Standard_NC48ads_A100_v4', max_node_count: 2 },
        min_instances: 1,
        max_instances: max,
        cpu_millicores: 4000,
      },
      runtime: { device: 'gpu' },
    });
    expect(() => loadTestConfig(configText(parts(4)))).not.toThrow();
    const failure = loadError(() => loadTestConfig(configText(parts(5))));
    expect(failure.fields).toEqual(['spec.max_instances']);
    expect(failure.text).toMatch(/need 3 Standard_NC48ads_A100_v4 nodes/);
  });

  it('GIVEN api_server_authorized_ip_ranges 0.0.0.0/0 THEN the API server is left open, as written', () => {
    const cluster = onlyResource(
      synth({ spec: { api_server_authorized_ip_ranges: ['0.0.0.0/0'] } }),
      'azurerm_kubernetes_cluster',
    );
    expect(cluster).not.toHaveProperty('api_server_access_profile');
  });

  it('GIVEN network_policy none THEN neither Cilium nor a NetworkPolicy is configured', () => {
    const json = synth({ spec: { network_policy: 'none' } });
    const profile = onlyResource(json, 'azurerm_kubernetes_cluster').network_profile;
    expect(profile).not.toHaveProperty('network_policy');
    expect(profile).not.toHaveProperty('network_data_plane');
    expect(resourcesOf(json, 'kubernetes_network_policy_v1')).toEqual({});
  });

  it('GIVEN service_port 8080 THEN the endpoint names the port; on 80 it does not', () => {
    expect(synth({ spec: { service_port: 8080 } }).output?.endpoint?.value).toBe(
      'http://${kubernetes_service_v1.service.status[0].load_balancer[0].ingress[0].ip}:8080',
    );
  });

  describe('GIVEN an image outside ACR with image_pull_secret', () => {
    const repository = 'ghcr.io/team/iris';
    const config = loadTestConfig(
      configText({ image: { repository }, spec: { image_pull_secret: KV_TOKEN } }),
    );
    const json = synthesizeAks(config, {
      repository,
      digest: TEST_IMAGE.digest,
      ref: `${repository}@${TEST_IMAGE.digest ?? ''}`,
    });

    it('THEN the Key Vault value becomes a dockerconfigjson secret', () => {
      expect(resourcesOf(json, 'kubernetes_secret_v1').image_pull_secret).toMatchObject({
        type: 'kubernetes.io/dockerconfigjson',
        data: {
          '.dockerconfigjson': '${data.azurerm_key_vault_secret.image_pull_secret_value.value}',
        },
      });
      expect(json.data?.azurerm_key_vault_secret?.image_pull_secret_value).toMatchObject({
        name: 'api-token',
      });
    });

    it('THEN the pods pull with it', () => {
      expect((pod(json) as unknown as { image_pull_secrets: unknown }).image_pull_secrets).toEqual([
        { name: '${kubernetes_secret_v1.image_pull_secret.metadata[0].name}' },
      ]);
    });

    it('WITHOUT it THEN validate says to use ACR or set image_pull_secret', () => {
      const failure = loadError(() => loadTestConfig(configText({ image: { repository } })));
      expect(failure.fields).toEqual(['image.repository']);
      expect(failure.text).toMatch(/image_pull_secret/);
    });
  });

  it('GIVEN an image in another ACR THEN it validates (the cluster pulls from ACR)', () => {
    expect(() =>
      loadTestConfig(configText({ image: { repository: 'shared.azurecr.io/models/iris' } })),
    ).not.toThrow();
  });
});

describe('azure-aks names, references and node sizes', () => {
  it.each([
    ['iris-prod', /^irisprod[0-9a-f]{8}$/],
    ['a', /^a[0-9a-f]{8}$/],
  ])('GIVEN deployment %s THEN the registry is its letters plus an 8-hex suffix', (name, form) => {
    expect(acrName(name)).toMatch(form);
  });

  it('GIVEN the same deployment in another subscription or group THEN the registry name differs, and is stable', () => {
    // ACR names are global: "irisprodacr" would be taken by the first customer to use it.
    const here = aksNames('iris-prod', { subscription_id: '11111111-2222-4333-8444-555555555555' });
    const there = aksNames('iris-prod', {
      subscription_id: '99999999-2222-4333-8444-555555555555',
    });
    const otherGroup = aksNames('iris-prod', { resource_group: 'ml-rg' });
    expect(new Set([here.registry, there.registry, otherGroup.registry]).size).toBe(3);
    expect(
      aksNames('iris-prod', { subscription_id: '11111111-2222-4333-8444-555555555555' }).registry,
    ).toBe(here.registry);
    expect(defaultAksImageRepository('iris-prod', {})).toBe(
      `${aksNames('iris-prod', {}).registry}.azurecr.io/iris-prod`,
    );
  });

  it('GIVEN a name too long for ACR THEN it is cut, alphanumeric, and ends in a hash', () => {
    const long = `${'x'.repeat(30)}-${'y'.repeat(30)}`;
    const name = acrName(long);
    expect(name).toMatch(/^[a-z0-9]{50}$/);
    expect(name).not.toBe(acrName(`${'x'.repeat(30)}-${'y'.repeat(29)}z`));
  });

  it('GIVEN resource_group and acr_name THEN they are used as given', () => {
    expect(
      aksNames('iris-prod', { resource_group: 'ml-rg', acr_name: 'MlRegistry01' }),
    ).toMatchObject({
      resourceGroup: 'ml-rg',
      registry: 'MlRegistry01',
    });
  });

  it.each([
    [KV_TOKEN, { vault: 'ml-vault', name: 'api-token' }],
    [
      `${KV_TOKEN}/0123456789abcdef0123456789abcdef`,
      { vault: 'ml-vault', name: 'api-token', version: '0123456789abcdef0123456789abcdef' },
    ],
    [
      KV_DB,
      {
        vault: 'db-vault',
        name: 'db-password',
        vaultId: expect.stringMatching(/vaults\/db-vault$/),
      },
    ],
  ])('GIVEN %s THEN it parses', (text, expected) => {
    expect(parseKeyVaultReference(text)).toEqual(expected);
  });

  it.each([
    'api-token',
    'https://example.com/secrets/x',
    'arn:aws:secretsmanager:us-east-1:1:secret:x',
  ])('GIVEN %s THEN it is not a Key Vault reference', (text) => {
    expect(parseKeyVaultReference(text)).toBeUndefined();
  });

  it.each([
    ['Standard_D4s_v5', 4, 3860],
    ['Standard_NC24ads_A100_v4', 24, 23580],
    ['Standard_E64-16s_v5', 16, 15740],
  ])('GIVEN %s THEN it has %i vCPUs and %im for pods', (size, vcpus, allocatable) => {
    expect(vmSizeVcpus(size)).toBe(vcpus);
    expect(allocatableMillicores(size)).toBe(allocatable);
  });
});

describe('azure-aks preflight', () => {
  it.each<[string, ConfigParts, string, RegExp]>([
    [
      'min above max',
      { spec: { min_instances: 7, max_instances: 3 } },
      'spec.min_instances',
      /larger than max_instances/,
    ],
    [
      'public without allowed_cidrs',
      { spec: { public: true } },
      'spec.allowed_cidrs',
      /nobody could reach/,
    ],
    ['a bad CIDR', { spec: { allowed_cidrs: ['10.0.0.0/33'] } }, 'spec.allowed_cidrs[0]', /CIDR/],
    [
      'a GPU pool of a CPU size',
      { spec: { gpu_node_pool: { vm_size: 'Standard_D8s_v5' } }, runtime: { device: 'gpu' } },
      'spec.gpu_node_pool.vm_size',
      /not a GPU VM size/,
    ],
    [
      'a GPU runtime without a GPU pool',
      { runtime: { device: 'gpu' } },
      'spec.gpu_node_pool',
      /could not schedule/,
    ],
    [
      'a GPU pool with a CPU runtime',
      { spec: { gpu_node_pool: {} } },
      'spec.gpu_node_pool',
      /sit idle/,
    ],
    [
      'a pod larger than a node',
      { spec: { node_vm_size: 'Standard_D2s_v5', cpu_millicores: 2000 } },
      'spec.cpu_millicores',
      /at most 1900m/,
    ],
    [
      'an ACR name with hyphens',
      { spec: { acr_name: 'iris-registry' } },
      'spec.acr_name',
      /5-50 letters or digits/,
    ],
    ['a service port out of range', { spec: { service_port: 70000 } }, 'spec.service_port', /./],
    [
      'a tag name with a slash',
      { spec: { tags: { 'team/ml': 'x' } } },
      'spec.tags.team/ml',
      /without < > % & \\ \? \//,
    ],
    [
      'a tag bentoctl sets',
      { spec: { tags: { 'bento-version': 'x' } } },
      'spec.tags.bento-version',
      /set by bentoctl/,
    ],
    [
      'a namespace that is not a DNS label',
      { spec: { namespace: 'ML_Models' } },
      'spec.namespace',
      /DNS label/,
    ],
    [
      'a subscription that is not a UUID',
      { spec: { subscription_id: 'prod' } },
      'spec.subscription_id',
      /./,
    ],
    ['an unknown location', { spec: { location: 'moon' } }, 'spec.location', /./],
  ])('GIVEN %s THEN the config is rejected at %s', (_case, parts, field, message) => {
    const failure = loadError(() => loadTestConfig(configText(parts)));
    expect(failure.code).toBe('CONFIG_INVALID');
    expect(failure.fields).toContain(field);
    expect(failure.text).toMatch(message);
  });

  it.each(['canary', 'blue-green'])(
    'GIVEN runtime.grpc with a %s release THEN it is accepted (the gateway splits gRPC calls too)',
    (strategy) => {
      const config = loadTestConfig(
        configText({
          spec: { service_mesh_revision: 'asm-1-27' },
          runtime: { grpc: { enabled: true } },
          release: { strategy },
        }),
      );
      expect(config.release.strategy).toBe(strategy);
      expect(config.runtime.grpc.enabled).toBe(true);
    },
  );
});
