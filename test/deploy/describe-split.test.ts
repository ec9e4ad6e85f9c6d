/**
 * The split line of `plan` (and the PR comment) names the candidate's own URL in each target's
 * words: Cloud Run's traffic tag, which stays on a revision; elsewhere the listener or load
 * balancer that reaches a candidate, named only while a release runs one.
 */
import { describe, expect, it } from 'vitest';
import { describeSplit } from '../../src/deploy/traffic-plan.js';
import type { TrafficState } from '../../src/deploy/traffic-state.js';
import type { TargetName } from '../../src/targets/names.js';

const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/abc';
const config = (target: TargetName, spec: Record<string, unknown> = {}) => ({
  name: 'iris-prod',
  target,
  spec,
});
const state = (phase: TrafficState['phase'], percent: number): TrafficState => ({
  strategy: phase === 'waiting' ? 'blue-green' : 'canary',
  phase,
  stable_revision: 'iris-prod-a',
  stable_release: 1,
  candidate_revision: phase === 'settled' ? null : 'iris-prod-b',
  candidate_release: phase === 'settled' ? null : 2,
  percent,
  started_at: null,
  bake_minutes: 15,
});
const CANARY = state('canary', 10);
const WAITING = state('waiting', 0);
const SETTLED = state('settled', 0);
const ABORTED = state('aborted', 0);

describe('the split line of a plan', () => {
  it('GIVEN google-cloud-run THEN the tagged revision keeps "(tag candidate)" in every phase', () => {
    const run = config('google-cloud-run', { project: 'p', region: 'us-central1' });
    expect(describeSplit(CANARY, run)).toBe('iris-prod-a 90 %, iris-prod-b 10 % (tag candidate)');
    expect(describeSplit(SETTLED, run)).toBe('iris-prod-a 100 % (tag candidate)');
    expect(describeSplit(ABORTED, run)).toBe('iris-prod-a 100 %, iris-prod-b 0 % (tag candidate)');
  });

  it('GIVEN aws-ec2-gpu THEN the candidate is on its own load balancer port (8443 with a certificate), and no tag is spoken of', () => {
    expect(describeSplit(CANARY, config('aws-ec2-gpu'))).toBe(
      'iris-prod-a 90 %, iris-prod-b 10 % (own URL: load balancer port 8080)',
    );
    expect(describeSplit(WAITING, config('aws-ec2-gpu', { certificate_arn: CERTIFICATE }))).toBe(
      'iris-prod-a 100 %, iris-prod-b 0 % (own URL: load balancer port 8443)',
    );
  });

  it("GIVEN azure-aks THEN the candidate is on its own Service's address while it runs", () => {
    expect(describeSplit(CANARY, config('azure-aks', { location: 'westeurope' }))).toBe(
      'iris-prod-a 90 %, iris-prod-b 10 % (own URL: Service iris-prod-candidate)',
    );
  });

  it('GIVEN aws-ecs THEN its test listener names the candidate', () => {
    expect(describeSplit(WAITING, config('aws-ecs'))).toBe(
      'iris-prod-a 100 %, iris-prod-b 0 % (own URL: test listener port 8080)',
    );
  });

  it.each(['aws-ec2-gpu', 'azure-aks', 'aws-ecs'] as const)(
    'GIVEN %s settled or aborted THEN no revision is said to have its own URL (no candidate runs)',
    (target) => {
      expect(describeSplit(SETTLED, config(target))).toBe('iris-prod-a 100 %');
      expect(describeSplit(ABORTED, config(target))).toBe('iris-prod-a 100 %, iris-prod-b 0 %');
    },
  );
});
