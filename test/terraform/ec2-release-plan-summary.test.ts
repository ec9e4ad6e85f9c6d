/**
 * What a reviewer sees for an aws-ec2-gpu canary: the summary of the plan that starts one
 * (hand-written plan JSON in Terraform's documented format, with the per-revision addresses the
 * stack makes), the notes on what the second GPU group costs, and the release line of the PR
 * comment; and the note on switching between rolling and canary, which replaces the group.
 */
import { describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../../src/config/resolved-config.js';
import type { PlannedReleases } from '../../src/deploy/planned-release.js';
import { releasePlanLine } from '../../src/deploy/release-plan-line.js';
import type { TrafficState } from '../../src/deploy/traffic-state.js';
import { ec2GpuPlanNotes } from '../../src/targets/aws-ec2-gpu/plan-notes.js';
import type { JsonValue, ResourceChange } from '../../src/terraform/plan-json.js';
import { summarizePlan } from '../../src/terraform/plan-summary.js';
import { renderPlanMarkdown } from '../../src/terraform/render-plan-markdown.js';

const STABLE = 'iris-prod-0d1e2f3a4b5c';
const CANDIDATE = 'iris-prod-9a8b7c6d5e4f';

type Action = 'create' | 'update' | 'delete' | 'no-op';
function change(
  address: string,
  actions: Action[],
  before: JsonValue,
  after: JsonValue,
): ResourceChange {
  const [type = '', rest = ''] = address.split('.');
  return {
    address,
    mode: 'managed',
    type,
    name: rest.replace(/\[.*$/, ''),
    provider_name: 'registry.terraform.io/hashicorp/aws',
    change: { actions, before, after },
  };
}
/** The deployment's config as the release line reads it: a 10 % canary, gRPC on or off. */
const canaryConfig = ({ grpc }: { grpc: boolean }): ResolvedConfig =>
  ({
    name: 'iris-prod',
    target: 'aws-ec2-gpu',
    spec: {},
    release: { strategy: 'canary', percent: 10, bake_minutes: 15 },
    runtime: { grpc: { enabled: grpc } },
  }) as unknown as ResolvedConfig;
const group = (revision: string) =>
  `aws_autoscaling_group.revision_autoscaling_group["${revision}"]`;
const forward = (weights: Record<string, number>): JsonValue => [
  {
    type: 'forward',
    forward: [
      {
        target_group: Object.entries(weights).map(([revision, weight]) => ({
          arn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${revision}`,
          weight,
        })),
      },
    ],
  },
];
const summaryOf = (changes: ResourceChange[]) =>
  summarizePlan({ format_version: '1.2', resource_changes: changes });

describe('the plan of an aws-ec2-gpu canary', () => {
  const changes = [
    change(group(STABLE), ['no-op'], { min_size: 2 }, { min_size: 2 }),
    change(group(CANDIDATE), ['create'], null, { min_size: 1, max_size: 4 }),
    change(`aws_launch_template.revision_launch_template["${CANDIDATE}"]`, ['create'], null, {
      name: CANDIDATE,
    }),
    change(`aws_lb_target_group.revision_target_group["${CANDIDATE}"]`, ['create'], null, {}),
    change(
      'aws_lb_listener.http_listener',
      ['update'],
      { default_action: forward({ [STABLE]: 100 }) },
      { default_action: forward({ [STABLE]: 90, [CANDIDATE]: 10 }) },
    ),
  ];

  it('GIVEN a new revision THEN the summary creates its group beside the stable one and moves 10 % of the weight', () => {
    const summary = summaryOf(changes);

    expect(summary.counts).toMatchObject({ create: 3, update: 1, delete: 0, 'no-op': 1 });
    expect(summary.destructive).toBe(false);
    const listener = summary.resources.find(
      (resource) => resource.address === 'aws_lb_listener.http_listener',
    );
    expect(listener?.changes).toContainEqual(
      expect.objectContaining({
        path: 'default_action[0].forward[0].target_group[0].weight',
        before: '100',
        after: '90',
      }),
    );
  });

  it('GIVEN a new revision THEN a note says both GPU groups run until promote or abort, and the comment shows the split', () => {
    const summary = summaryOf(changes);
    const notes = ec2GpuPlanNotes(summary);
    const traffic: TrafficState = {
      strategy: 'canary',
      phase: 'canary',
      stable_revision: STABLE,
      stable_release: 3,
      candidate_revision: CANDIDATE,
      candidate_release: 4,
      percent: 10,
      started_at: '2026-01-01T00:00:00.000Z',
      bake_minutes: 15,
    };
    const release = releasePlanLine(canaryConfig({ grpc: false }), {
      candidate: { bentoVersion: '3f9a' },
      traffic,
    } as unknown as PlannedReleases);
    const markdown = renderPlanMarkdown(
      { ...summary, notes },
      { deployment: 'iris-prod', target: 'aws-ec2-gpu', release },
    );

    expect(notes).toEqual([
      expect.stringMatching(
        new RegExp(
          `^A group of GPU instances for revision ${CANDIDATE} starts beside ${STABLE}: both run \\(and bill\\) until`,
        ),
      ),
    ]);
    expect(markdown).toContain(
      `**Release:** canary: 10 % to bento 3f9a for 15 min, then 100 % (or back). Traffic after this apply: ${STABLE} 90 %, ${CANDIDATE} 10 % (own URL: load balancer port 8080); then \`bentoctl release promote\` (or \`release abort\`).`,
    );
    expect(markdown).toContain('A group of GPU instances for revision');
  });

  it('GIVEN runtime.grpc THEN the gRPC listener moves the same 10 % to the new GRPC group, and the comment says gRPC follows', () => {
    const grpcGroup = (revision: string) =>
      `aws_lb_target_group.revision_grpc_target_group["${revision}"]`;
    const summary = summaryOf([
      ...changes,
      change(grpcGroup(CANDIDATE), ['create'], null, { protocol_version: 'GRPC' }),
      change(
        'aws_lb_listener.grpc_listener',
        ['update'],
        { default_action: forward({ [STABLE]: 100 }) },
        { default_action: forward({ [STABLE]: 90, [CANDIDATE]: 10 }) },
      ),
    ]);
    const release = releasePlanLine(canaryConfig({ grpc: true }), {
      candidate: { bentoVersion: '3f9a' },
      traffic: undefined,
    } as unknown as PlannedReleases);
    const markdown = renderPlanMarkdown(
      { ...summary, notes: ec2GpuPlanNotes(summary) },
      { deployment: 'iris-prod', target: 'aws-ec2-gpu', release },
    );

    expect(summary.counts).toMatchObject({ create: 4, update: 2, delete: 0 });
    const grpcListener = summary.resources.find(
      (resource) => resource.address === 'aws_lb_listener.grpc_listener',
    );
    expect(grpcListener?.changes).toContainEqual(
      expect.objectContaining({
        path: 'default_action[0].forward[0].target_group[0].weight',
        before: '100',
        after: '90',
      }),
    );
    expect(markdown).toContain('aws_lb_listener.grpc_listener');
    expect(markdown).toContain('gRPC calls follow the same split.');
  });

  it('GIVEN the first revision under canary (no group kept) THEN there is no cost note', () => {
    expect(ec2GpuPlanNotes(summaryOf([change(group(STABLE), ['create'], null, {})]))).toEqual([]);
  });

  it('GIVEN a promote THEN the stable group is deleted and no note warns of an outage', () => {
    const summary = summaryOf([
      change(group(STABLE), ['delete'], { min_size: 2 }, null),
      change(group(CANDIDATE), ['update'], { min_size: 1 }, { min_size: 2 }),
    ]);

    expect(summary.destructive).toBe(true);
    expect(ec2GpuPlanNotes(summary)).toEqual([]);
  });

  it.each([
    ['rolling to canary', 'aws_autoscaling_group.autoscaling_group', group(STABLE)],
    ['canary to rolling', group(STABLE), 'aws_autoscaling_group.autoscaling_group'],
  ])(
    'GIVEN a switch from %s THEN a note says the group is replaced with an outage',
    (_, from, to) => {
      const notes = ec2GpuPlanNotes(
        summaryOf([change(from, ['delete'], {}, null), change(to, ['create'], null, {})]),
      );

      expect(notes).toEqual([
        expect.stringContaining(
          'The release strategy changes between rolling and canary/blue-green, which replaces the instance group',
        ),
      ]);
    },
  );
});
