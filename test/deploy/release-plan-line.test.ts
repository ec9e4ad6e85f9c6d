import { describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../../src/config/resolved-config.js';
import type { PlannedReleases } from '../../src/deploy/planned-release.js';
import { releasePlanLine } from '../../src/deploy/release-plan-line.js';

const config = (release: ResolvedConfig['release'], target = 'aws-ecs', grpc = false) =>
  ({ release, target, runtime: { grpc: { enabled: grpc } } }) as unknown as ResolvedConfig;
const planned = (bentoVersion: string | null) =>
  ({ candidate: { bentoVersion }, traffic: undefined }) as unknown as PlannedReleases;

describe('the release line of a plan', () => {
  it('GIVEN rolling THEN there is none (comments stay as they were)', () => {
    expect(releasePlanLine(config({ strategy: 'rolling' }), planned('v2'))).toBeUndefined();
  });

  it('GIVEN an ECS canary THEN it names the bento, the share, the bake and that ECS moves it', () => {
    expect(
      releasePlanLine(config({ strategy: 'canary', percent: 10, bake_minutes: 15 }), planned('v2')),
    ).toBe(
      'canary: 10 % to bento v2 for 15 min, then 100 % (or back); aws-ecs moves the traffic itself and rolls back on its alarms (5xx rate, p99 latency).',
    );
  });

  it('GIVEN runtime.grpc THEN the line says the gRPC calls follow the same split; rolling still has none', () => {
    expect(
      releasePlanLine(
        config({ strategy: 'canary', percent: 10, bake_minutes: 15 }, 'aws-ecs', true),
        planned('v2'),
      ),
    ).toBe(
      'canary: 10 % to bento v2 for 15 min, then 100 % (or back); aws-ecs moves the traffic itself and rolls back on its alarms (5xx rate, p99 latency). gRPC calls follow the same split.',
    );
    expect(
      releasePlanLine(config({ strategy: 'rolling' }, 'aws-ecs', true), planned('v2')),
    ).toBeUndefined();
  });

  it('GIVEN blue-green without a known bento version THEN it speaks of the new revision', () => {
    expect(
      releasePlanLine(config({ strategy: 'blue-green', bake_minutes: 0 }), planned(null)),
    ).toMatch(/^blue-green: 0 % to the new revision until it is healthy and approved, then 100 %;/);
  });
});
