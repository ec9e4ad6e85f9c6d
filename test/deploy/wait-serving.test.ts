/**
 * Which URL apply, rollback and restore wait on: the candidate's own URL where bentoctl keeps
 * the traffic state (a candidate answers there while it has little or no traffic), the endpoint
 * where the platform moved all traffic inside `terraform apply` (an aws-ecs canary).
 */
import { describe, expect, it } from 'vitest';
import { waitUrlOf } from '../../src/deploy/wait-serving.js';
import type { TrafficState } from '../../src/deploy/traffic-state.js';

const outputs = {
  endpoint: { value: 'http://alb.example.com', sensitive: false },
  candidate_endpoint: { value: 'http://alb.example.com:8080', sensitive: false },
};
const waiting: TrafficState = {
  strategy: 'blue-green',
  phase: 'waiting',
  stable_revision: 'iris-prod-0d1e2f3a4b5c',
  stable_release: 1,
  candidate_revision: 'iris-prod-9a8b7c6d5e4f',
  candidate_release: 2,
  percent: 0,
  started_at: '2026-12-01T18:00:00.000Z',
  bake_minutes: 15,
};

describe('waitUrlOf', () => {
  it('GIVEN a traffic state and a candidate URL THEN it waits on the candidate URL', () => {
    expect(waitUrlOf({ outputs, traffic: waiting }, undefined)).toBe('http://alb.example.com:8080');
  });

  it('GIVEN no traffic state (aws-ecs canary: terraform apply waited for ECS) THEN it waits on the endpoint, though the stack has a candidate URL', () => {
    expect(waitUrlOf({ outputs, traffic: undefined }, undefined)).toBe('http://alb.example.com');
  });

  it('GIVEN url endpoint, or no candidate URL THEN it waits on the endpoint', () => {
    expect(waitUrlOf({ outputs, traffic: waiting }, 'endpoint')).toBe('http://alb.example.com');
    expect(
      waitUrlOf(
        {
          outputs: { ...outputs, candidate_endpoint: { value: '', sensitive: false } },
          traffic: waiting,
        },
        'candidate',
      ),
    ).toBe('http://alb.example.com');
  });
});
