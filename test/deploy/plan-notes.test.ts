/**
 * The target's notes in a plan summary: what a reviewer must know that the resource list does
 * not say (the rights role assignments need on AKS, the outage of a GPU instance replacement).
 */
import { describe, expect, it } from 'vitest';
import { summarizeStackPlan } from '../../src/deploy/stack-summary.js';
import type { TerraformPlanJson } from '../../src/terraform/plan-json.js';
import { renderPlanMarkdown } from '../../src/terraform/render-plan-markdown.js';
import { renderPlanText } from '../../src/terraform/render-plan-text.js';
import { configText, loadTestConfig } from '../targets/target-synth-harness.js';

const AKS = loadTestConfig(
  configText(
    'azure-aks',
    'location: westeurope\napi_server_authorized_ip_ranges: [203.0.113.0/24]',
  ),
);
const GPU = loadTestConfig(
  configText('aws-ec2-gpu', 'region: us-east-1\nmax_instances: 1', 'runtime:\n  device: gpu\n'),
);
const ECS = loadTestConfig(configText('aws-ecs', 'region: us-east-1'));

/** A plan JSON with one change per `[type, name, actions]`. */
function plan(changes: [string, string, string[]][]): TerraformPlanJson {
  return {
    format_version: '1.2',
    terraform_version: '1.11.0',
    resource_changes: changes.map(([type, name, actions]) => ({
      address: `${type}.${name}`,
      mode: 'managed',
      type,
      name,
      change: { actions, before: actions[0] === 'create' ? null : {}, after: {} },
    })),
  } as unknown as TerraformPlanJson;
}

describe('plan notes', () => {
  it('GIVEN an AKS plan creating role assignments THEN the summary says which rights the apply needs', () => {
    const summary = summarizeStackPlan(
      AKS,
      plan([
        ['azurerm_kubernetes_cluster', 'cluster', ['create']],
        ['azurerm_role_assignment', 'acr_pull', ['create']],
        ['azurerm_role_assignment', 'cluster_admin', ['no-op']],
      ]),
    );
    expect(summary.notes).toEqual([
      expect.stringMatching(
        /^This apply creates role assignments \(azurerm_role_assignment\.acr_pull\): .*Owner, User Access Administrator or Role Based Access Control Administrator.*Contributor/,
      ),
    ]);
    expect(renderPlanText(summary, 'Plan')).toMatch(
      /\nNotes:\n - This apply creates role assignments/,
    );
    expect(renderPlanMarkdown(summary, { deployment: 'iris-prod', target: 'azure-aks' })).toContain(
      '> [!NOTE]\n> - This apply creates role assignments',
    );
  });

  it('GIVEN an AKS plan that switches to canary THEN the summary says the endpoint moves to the gateway', () => {
    const summary = summarizeStackPlan(
      AKS,
      plan([
        ['kubernetes_manifest', 'virtual_service', ['create']],
        ['kubernetes_service_v1', 'service', ['update']],
      ]),
    );
    expect(summary.notes).toEqual([
      expect.stringMatching(
        /^This apply moves the endpoint to the Istio add-on's internal ingress gateway \(a new IP address, port 80, in the VNet\)/,
      ),
    ]);
    const back = summarizeStackPlan(
      AKS,
      plan([['kubernetes_manifest', 'virtual_service', ['delete']]]),
    );
    expect(back.notes).toEqual([
      expect.stringMatching(
        /^This apply moves the endpoint back to the deployment's own load balancer/,
      ),
    ]);
    // A release moves weights only: nothing to say.
    const release = summarizeStackPlan(
      AKS,
      plan([['kubernetes_manifest', 'virtual_service', ['update']]]),
    );
    expect(release.notes).toBeUndefined();
  });

  it('GIVEN an AKS plan whose role assignments exist THEN no note', () => {
    const summary = summarizeStackPlan(
      AKS,
      plan([['azurerm_role_assignment', 'acr_pull', ['no-op']]]),
    );
    expect(summary.notes).toBeUndefined();
  });

  it('GIVEN a single GPU instance replaced THEN the summary states the outage', () => {
    const summary = summarizeStackPlan(
      GPU,
      plan([['aws_instance', 'instance', ['create', 'delete']]]),
    );
    expect(summary.notes).toEqual([
      expect.stringMatching(
        /^The single GPU instance is replaced: .*does not answer for about 10-15 minutes/,
      ),
    ]);
  });

  it('GIVEN the GPU Auto Scaling group replaced THEN the summary states the outage', () => {
    const summary = summarizeStackPlan(
      GPU,
      plan([['aws_autoscaling_group', 'autoscaling_group', ['delete', 'create']]]),
    );
    expect(summary.notes).toEqual([expect.stringMatching(/^The Auto Scaling group is replaced/)]);
  });

  it('GIVEN the GPU instance updated in place, or another target THEN no note', () => {
    expect(
      summarizeStackPlan(GPU, plan([['aws_instance', 'instance', ['update']]])).notes,
    ).toBeUndefined();
    expect(
      summarizeStackPlan(ECS, plan([['aws_instance', 'instance', ['create', 'delete']]])).notes,
    ).toBeUndefined();
  });
});
