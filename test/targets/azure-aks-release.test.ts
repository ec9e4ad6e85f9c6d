/**
 * azure-aks under canary and blue-green (src/targets/azure-aks/release-routing.ts): two
 * Deployments behind the Istio add-on's internal ingress gateway, weighted by the
 * `bentoctl_traffic` variable, the stable revision kept in the state, the candidate present only
 * during a release. Rolling stays as it was (its snapshot is in azure-aks.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { synthesizeAzureAks } from '../../src/targets/azure-aks/stack.js';
import type { AzureAksSpec } from '../../src/targets/azure-aks/spec.js';
import { stableJson } from '../../src/targets/stable-json.js';
import type { ImageReference, StackLifecycle } from '../../src/targets/synthesizer.js';
import { RUNNING } from '../../src/targets/synthesizer.js';
import {
  dataOf,
  loadTestConfig,
  resource,
  resourcesOf,
  synthesizeTargetStacks,
  TEST_IMAGE,
  type TerraformDocument,
} from './target-synth-harness.js';

interface Parts {
  release: Record<string, unknown>;
  spec?: Record<string, unknown>;
  env?: Record<string, string>;
  runtime?: Record<string, unknown>;
}

function configText(parts: Parts): string {
  return stringify({
    api_version: 'v1',
    name: 'iris-prod',
    bento: './iris',
    target: 'azure-aks',
    spec: {
      location: 'westeurope',
      api_server_authorized_ip_ranges: ['203.0.113.0/24'],
      service_mesh_revision: 'asm-1-27',
      max_instances: 20,
      ...parts.spec,
    },
    release: parts.release,
    ...(parts.env ? { env: parts.env } : {}),
    ...(parts.runtime ? { runtime: parts.runtime } : {}),
  });
}

function stacks(
  parts: Parts,
  image: ImageReference = TEST_IMAGE,
  lifecycle: StackLifecycle = RUNNING,
): { cluster: TerraformDocument; workload: TerraformDocument } {
  const all = synthesizeTargetStacks<AzureAksSpec>(
    synthesizeAzureAks,
    loadTestConfig(configText(parts)),
    image,
    lifecycle,
  );
  return { cluster: all.cluster!, workload: all.workload! };
}

const CANARY = { strategy: 'canary', percent: 25, bake_minutes: 30 };
const OTHER_IMAGE: ImageReference = {
  ...TEST_IMAGE,
  digest: `sha256:${'cd'.repeat(32)}`,
  ref: `${TEST_IMAGE.repository}@sha256:${'cd'.repeat(32)}`,
};

interface Deployment {
  count?: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    replicas: string;
    selector: { match_labels: Record<string, string> };
    template: {
      spec: {
        container: { image: string; env: { name: string; value?: string }[] }[];
      };
    };
  };
  lifecycle?: { ignore_changes?: string[]; create_before_destroy?: boolean };
}

const deployment = (json: TerraformDocument, name: string) =>
  resource(json, 'kubernetes_deployment_v1', name) as unknown as Deployment;
const container = (json: TerraformDocument, name: string) =>
  deployment(json, name).spec.template.spec.container[0]!;
const digestEnv = (json: TerraformDocument, name: string) =>
  container(json, name).env.find((entry) => entry.name === 'BENTOCTL_IMAGE_DIGEST')?.value;
const variables = (json: TerraformDocument) =>
  (json as { variable?: Record<string, { default: unknown }> }).variable ?? {};
const manifest = (json: TerraformDocument, name: string) =>
  (resource(json, 'kubernetes_manifest', name) as { manifest: Record<string, unknown> }).manifest;

describe('azure-aks canary', () => {
  const { cluster, workload } = stacks({ release: CANARY });

  it('THEN the cluster turns on the Istio add-on with its internal gateway and hands its name to the workload', () => {
    expect(resource(cluster, 'azurerm_kubernetes_cluster', 'cluster')).toMatchObject({
      service_mesh_profile: {
        mode: 'Istio',
        revisions: ['asm-1-27'],
        internal_ingress_gateway_enabled: true,
      },
    });
    expect(cluster.output?.ingress_gateway?.value).toBe(
      'aks-istio-ingress/aks-istio-ingressgateway-internal',
    );
  });

  it('THEN the stable Deployment runs what the state keeps, replaced only when the stable revision changes', () => {
    const snapshot = resource(workload, 'terraform_data', 'stable_revision') as {
      input: { revision: string; image: string; environment: Record<string, string> };
      triggers_replace: unknown;
      lifecycle: unknown;
    };
    expect(snapshot.input.image).toBe(TEST_IMAGE.ref);
    expect(snapshot.input.environment.BENTOCTL_IMAGE_DIGEST).toBe(TEST_IMAGE.digest);
    expect(snapshot.triggers_replace).toEqual({
      stable_revision: '${element(var.bentoctl_traffic, 0).revision}',
    });
    expect(snapshot.lifecycle).toEqual({ ignore_changes: ['input'] });

    // Same name and ID as under rolling, so switching strategies replaces no pods' owner.
    expect(deployment(workload, 'deployment').metadata.name).toBe('iris-prod');
    // Settled on this revision it runs this stack's values (known at plan), else what was kept.
    const settledHere = `(element(var.bentoctl_traffic, 0).revision == "${snapshot.input.revision}")`;
    expect(container(workload, 'deployment').image).toBe(
      `\${${settledHere} ? "${TEST_IMAGE.ref}" : terraform_data.stable_revision.output.image}`,
    );
    expect(digestEnv(workload, 'deployment')).toBe(
      `\${${settledHere} ? "${TEST_IMAGE.digest}" : lookup(terraform_data.stable_revision.output.environment, "BENTOCTL_IMAGE_DIGEST", "${TEST_IMAGE.digest}")}`,
    );
    expect(deployment(workload, 'deployment').metadata.labels['bento-version']).toContain(
      'lookup(terraform_data.stable_revision.output.bento_labels, "bento-version"',
    );
  });

  it('THEN the candidate Deployment runs this stack only in the canary and waiting phases, and goes after the routes moved', () => {
    const candidate = deployment(workload, 'candidate_deployment');

    expect(candidate.count).toBe(
      '${contains(["canary", "waiting"], var.bentoctl_traffic_phase) ? 1 : 0}',
    );
    expect(candidate.metadata.name).toBe('iris-prod-candidate');
    expect(candidate.spec.selector.match_labels).toEqual({
      'app.kubernetes.io/name': 'iris-prod-candidate',
      'app.kubernetes.io/instance': 'iris-prod-candidate',
    });
    expect(container(workload, 'candidate_deployment').image).toBe(TEST_IMAGE.ref);
    expect(digestEnv(workload, 'candidate_deployment')).toBe(TEST_IMAGE.digest);
    expect(candidate.lifecycle).toEqual({
      ignore_changes: ['spec[0].replicas'],
      create_before_destroy: true,
    });
  });

  it('THEN the candidate scales by CPU up to its share of max_instances (25 % of 20)', () => {
    expect(
      resource(workload, 'kubernetes_horizontal_pod_autoscaler_v2', 'candidate_autoscaler'),
    ).toMatchObject({
      count: '${contains(["canary", "waiting"], var.bentoctl_traffic_phase) ? 1 : 0}',
      spec: {
        min_replicas: 1,
        max_replicas: 5,
        scale_target_ref: { kind: 'Deployment', name: 'iris-prod-candidate' },
      },
    });
    expect(
      resource(workload, 'kubernetes_horizontal_pod_autoscaler_v2', 'autoscaler'),
    ).toMatchObject({ spec: { min_replicas: 2, max_replicas: 20 } });
  });

  it('THEN the gateway splits the requests between the two Services by the variable, after both rolled out', () => {
    expect(manifest(workload, 'gateway')).toMatchObject({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      spec: { selector: { istio: 'aks-istio-ingressgateway-internal' } },
    });
    const virtualService = resource(workload, 'kubernetes_manifest', 'virtual_service') as {
      manifest: {
        spec: {
          http: { route: { destination: { host: string }; weight: string }[] }[];
        };
      };
      depends_on: string[];
    };
    const routes = virtualService.manifest.spec.http[0]!.route;
    expect(routes.map((route) => [route.destination.host.split('.')[0], route.weight])).toEqual([
      ['iris-prod', '${element(var.bentoctl_traffic, 0).percent}'],
      ['iris-prod-candidate', '${(100 - element(var.bentoctl_traffic, 0).percent)}'],
    ]);
    expect(virtualService.depends_on).toEqual([
      'kubernetes_manifest.gateway',
      'kubernetes_deployment_v1.deployment',
      'kubernetes_deployment_v1.candidate_deployment',
    ]);
    // Planned by hand (no bentoctl): all to this revision, no candidate.
    const traffic = variables(workload).bentoctl_traffic?.default as { revision: string }[];
    expect(traffic).toEqual([
      {
        revision: expect.stringMatching(/^iris-prod-[0-9a-f]{12}$/) as string,
        percent: 100,
        tag: 'candidate',
      },
    ]);
    expect(variables(workload).bentoctl_traffic_phase?.default).toBe('settled');
  });

  it("THEN the endpoint is the gateway's internal address and the candidate has its own, only during a release", () => {
    const services = resourcesOf(workload, 'kubernetes_service_v1') as Record<
      string,
      { metadata: { annotations?: Record<string, string> }; spec: { type: string } }
    >;
    expect(services.service?.spec.type).toBe('ClusterIP');
    expect(services.candidate_service?.spec.type).toBe('LoadBalancer');
    expect(services.candidate_service?.metadata.annotations).toEqual({
      'service.beta.kubernetes.io/azure-load-balancer-internal': 'true',
    });
    expect(dataOf(workload, 'kubernetes_service_v1', 'ingress_gateway')).toEqual({
      metadata: {
        namespace:
          '${element(split("/", data.terraform_remote_state.cluster.outputs.ingress_gateway), 0)}',
        name: '${element(split("/", data.terraform_remote_state.cluster.outputs.ingress_gateway), 1)}',
      },
    });
    expect(workload.output?.endpoint?.value).toBe(
      'http://${data.kubernetes_service_v1.ingress_gateway.status[0].load_balancer[0].ingress[0].ip}',
    );
    expect(workload.output?.candidate_endpoint?.value).toBe(
      '${contains(["canary", "waiting"], var.bentoctl_traffic_phase) ? "http://${kubernetes_service_v1.candidate_service.status[0].load_balancer[0].ingress[0].ip}" : null}',
    );
  });

  it('THEN the revision changes with the image and the environment, not with sizes or the release section', () => {
    const revision = (json: TerraformDocument) =>
      (variables(json).bentoctl_traffic?.default as { revision: string }[])[0]!.revision;
    const base = revision(workload);

    expect(revision(stacks({ release: { ...CANARY, percent: 50 } }).workload)).toBe(base);
    expect(revision(stacks({ release: CANARY, spec: { cpu_millicores: 2000 } }).workload)).toBe(
      base,
    );
    expect(revision(stacks({ release: CANARY, env: { LOG_FORMAT: 'json' } }).workload)).not.toBe(
      base,
    );
    expect(revision(stacks({ release: CANARY }, OTHER_IMAGE).workload)).not.toBe(base);
  });

  it('THEN the workload matches the reviewed snapshot', async () => {
    await expect(stableJson(workload)).toMatchFileSnapshot(
      '__snapshots__/azure-aks-canary-workload.tf.json',
    );
  });
});

describe('azure-aks blue-green', () => {
  const { cluster, workload } = stacks({ release: { strategy: 'blue-green' } });

  it('THEN the candidate is one pod, not autoscaled, behind the same routes and its own address', () => {
    const candidate = deployment(workload, 'candidate_deployment');
    expect(candidate.spec.replicas).toBe('1');
    expect(candidate.lifecycle).toEqual({ create_before_destroy: true });
    expect(
      resource(workload, 'kubernetes_horizontal_pod_autoscaler_v2', 'candidate_autoscaler'),
    ).toBeUndefined();
    expect(resource(workload, 'kubernetes_manifest', 'virtual_service')).toBeDefined();
    expect(workload.output?.candidate_endpoint).toBeDefined();
    expect(cluster.output?.ingress_gateway).toBeDefined();
  });

  it('THEN the workload matches the reviewed snapshot', async () => {
    await expect(stableJson(workload)).toMatchFileSnapshot(
      '__snapshots__/azure-aks-blue-green-workload.tf.json',
    );
  });
});

describe('azure-aks canary and blue-green with runtime.grpc', () => {
  const GRPC = { grpc: { enabled: true, port: 50051 } };
  const { workload } = stacks({ release: CANARY, runtime: GRPC });
  const { workload: blueGreen } = stacks({ release: { strategy: 'blue-green' }, runtime: GRPC });
  const { workload: httpOnly } = stacks({ release: CANARY });

  interface Route {
    name: string;
    match?: unknown;
    route: { destination: { host: string; port: { number: number } }; weight: string }[];
  }
  const httpRoutes = (json: TerraformDocument) =>
    (manifest(json, 'virtual_service').spec as { http: Route[] }).http;
  const split = (route: Route) =>
    route.route.map((entry) => [
      entry.destination.host.split('.')[0],
      entry.destination.port.number,
      entry.weight,
    ]);

  it('THEN gRPC calls, known by their content-type, split by the same shares to the gRPC port, before the HTTP route', () => {
    for (const json of [workload, blueGreen]) {
      const [grpc, http] = httpRoutes(json);
      expect(grpc?.name).toBe('grpc');
      expect(grpc?.match).toEqual([
        { headers: { 'content-type': { prefix: 'application/grpc' } } },
      ]);
      expect(split(grpc!)).toEqual([
        ['iris-prod', 50051, '${element(var.bentoctl_traffic, 0).percent}'],
        ['iris-prod-candidate', 50051, '${(100 - element(var.bentoctl_traffic, 0).percent)}'],
      ]);
      expect(http?.name).toBe('release');
      expect(split(http!)).toEqual([
        ['iris-prod', 80, '${element(var.bentoctl_traffic, 0).percent}'],
        ['iris-prod-candidate', 80, '${(100 - element(var.bentoctl_traffic, 0).percent)}'],
      ]);
    }
    // The gateway keeps its one server: port 80 carries both.
    expect(manifest(workload, 'gateway').spec).toMatchObject({
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
    });
    expect(httpRoutes(httpOnly).map((route) => route.name)).toEqual(['release']);
  });

  it('THEN both Services and both Deployments carry the gRPC port, and grpc_endpoint is the gateway on port 80', () => {
    const ports = (name: string) =>
      (resource(workload, 'kubernetes_service_v1', name) as { spec: { port: unknown[] } }).spec
        .port;
    const grpcPort = { name: 'grpc', port: 50051, target_port: 'grpc', protocol: 'TCP' };
    expect(ports('service')).toEqual([
      { name: 'http', port: 80, target_port: 'http', protocol: 'TCP' },
      grpcPort,
    ]);
    expect(ports('candidate_service')).toContainEqual(grpcPort);
    for (const name of ['deployment', 'candidate_deployment']) {
      expect((container(workload, name) as unknown as { port: unknown[] }).port).toContainEqual({
        name: 'grpc',
        container_port: 50051,
        protocol: 'TCP',
      });
    }
    expect(workload.output?.grpc_endpoint?.value).toBe(
      '${data.kubernetes_service_v1.ingress_gateway.status[0].load_balancer[0].ingress[0].ip}:80',
    );
    expect(httpOnly.output?.grpc_endpoint).toBeUndefined();
  });

  it('THEN the canary workload matches the reviewed snapshot', async () => {
    await expect(stableJson(workload)).toMatchFileSnapshot(
      '__snapshots__/azure-aks-canary-grpc-workload.tf.json',
    );
  });
});

describe('azure-aks rolling', () => {
  it('THEN no mesh, no gateway, no candidate and no traffic variables', () => {
    const { cluster, workload } = stacks({
      release: { strategy: 'rolling' },
      spec: { service_mesh_revision: undefined },
    });
    expect(
      (resource(cluster, 'azurerm_kubernetes_cluster', 'cluster') as Record<string, unknown>)
        .service_mesh_profile,
    ).toBeUndefined();
    expect(cluster.output?.ingress_gateway).toBeUndefined();
    expect(resourcesOf(workload, 'kubernetes_manifest')).toEqual({});
    expect(Object.keys(resourcesOf(workload, 'kubernetes_deployment_v1'))).toEqual(['deployment']);
    expect(variables(workload)).toEqual({});
  });
});
