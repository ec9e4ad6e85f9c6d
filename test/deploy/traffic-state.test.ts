import { describe, expect, it } from 'vitest';
import {
  approvalOf,
  bakeMinutesLeft,
  nextTraffic,
  splitOf,
  type TrafficInput,
  type TrafficState,
} from '../../src/deploy/traffic-state.js';

const canary = { strategy: 'canary', percent: 20, bake_minutes: 10 } as const;
const blueGreen = { strategy: 'blue-green', bake_minutes: 0 } as const;
const at = new Date('2026-12-01T10:00:00.000Z');
const input = (over: Partial<TrafficInput>): TrafficInput => ({
  stackRevision: 'svc-a',
  release: canary,
  action: 'apply',
  currentRelease: 1,
  deployment: 'svc',
  now: at,
  ...over,
});

describe('traffic state', () => {
  const settled = nextTraffic(undefined, input({}));
  const started = nextTraffic(settled, input({ stackRevision: 'svc-b', currentRelease: 2 }));

  it('GIVEN a canary WHEN a new revision is applied THEN it gets percent and the stable one the rest', () => {
    expect(splitOf(settled)).toEqual([{ revision: 'svc-a', percent: 100, tag: 'candidate' }]);
    expect(started).toMatchObject({ phase: 'canary', stable_release: 1, candidate_release: 2 });
    expect(splitOf(started)).toEqual([
      { revision: 'svc-a', percent: 80, tag: null },
      { revision: 'svc-b', percent: 20, tag: 'candidate' },
    ]);
    expect(nextTraffic(started, input({ stackRevision: 'svc-b' }))).toBe(started);
  });

  it('GIVEN a canary in progress WHEN another revision replaces the candidate THEN the stable one stays and the bake restarts', () => {
    const later = new Date(at.getTime() + 8 * 60_000);
    const replaced = nextTraffic(started, input({ stackRevision: 'svc-c', now: later }));

    expect(replaced).toMatchObject({ stable_revision: 'svc-a', candidate_revision: 'svc-c' });
    expect(bakeMinutesLeft(started, later)).toBe(2);
    expect(bakeMinutesLeft(replaced, later)).toBe(10);
  });

  it('GIVEN a canary WHEN the stack is back at the stable revision THEN the candidate is dropped', () => {
    const back = nextTraffic(started, input({ stackRevision: 'svc-a' }));

    expect(back).toMatchObject({
      phase: 'settled',
      stable_revision: 'svc-a',
      candidate_revision: null,
    });
  });

  it('GIVEN blue-green THEN the candidate waits at 0 % and promote needs no bake', () => {
    const waiting = nextTraffic(settled, input({ release: blueGreen, stackRevision: 'svc-b' }));
    const promoted = nextTraffic(
      waiting,
      input({ release: blueGreen, stackRevision: 'svc-b', action: 'promote' }),
    );

    expect(waiting).toMatchObject({ phase: 'waiting', percent: 0 });
    expect(splitOf(promoted)).toEqual([{ revision: 'svc-b', percent: 100, tag: 'candidate' }]);
  });

  it('GIVEN promote or abort THEN they refuse a baking canary, a changed candidate and a settled release', () => {
    const promote =
      (state: TrafficState | undefined, over: Partial<TrafficInput> = {}) =>
      () =>
        nextTraffic(state, input({ stackRevision: 'svc-b', action: 'promote', ...over }));

    expect(promote(started)).toThrow(/bakes 10 more min/);
    expect(promote(started, { skipBake: true })()).toMatchObject({
      phase: 'settled',
      stable_revision: 'svc-b',
    });
    expect(promote(started, { stackRevision: 'svc-z' })).toThrow(
      /the candidate is revision svc-b, but the config and image now make revision svc-z/,
    );
    expect(promote(settled)).toThrow(/the release is settled/);
    const aborted = nextTraffic(started, input({ stackRevision: 'svc-b', action: 'abort' }));
    expect(aborted).toMatchObject({ phase: 'aborted', percent: 0 });
    // Drained: a stack that sizes a group per revision (aws-ec2-gpu) keeps none for it.
    expect(splitOf(aborted)).toEqual([
      { revision: 'svc-a', percent: 100, tag: null },
      { revision: 'svc-b', percent: 0, tag: 'candidate', drained: true },
    ]);
  });

  it('GIVEN blue-green on a stack that takes an approval THEN the stable revision is approved, a waiting one is not, an aborted one is rejected', () => {
    const approval = (over: Partial<TrafficInput>) =>
      input({ release: blueGreen, control: 'approval', ...over });
    const first = nextTraffic(undefined, approval({}));
    const waiting = nextTraffic(first, approval({ stackRevision: 'svc-b', currentRelease: 2 }));
    const promoted = nextTraffic(waiting, approval({ stackRevision: 'svc-b', action: 'promote' }));
    // The platform rolls the rejected one back itself: the abort applies the stable revision.
    const aborted = nextTraffic(waiting, approval({ stackRevision: 'svc-a', action: 'abort' }));

    expect(approvalOf(first)).toEqual({ approved: 'svc-a', rejected: '' });
    expect(approvalOf(waiting)).toEqual({ approved: 'svc-a', rejected: '' });
    expect(approvalOf(promoted)).toEqual({ approved: 'svc-b', rejected: '' });
    expect(aborted).toMatchObject({ phase: 'aborted', stable_revision: 'svc-a' });
    expect(approvalOf(aborted)).toEqual({ approved: 'svc-a', rejected: 'svc-b' });
    // The stable revision's stack is what the abort applied: a re-plan keeps it.
    expect(nextTraffic(aborted, approval({ stackRevision: 'svc-a' }))).toBe(aborted);
    expect(() =>
      nextTraffic(waiting, approval({ stackRevision: 'svc-b', action: 'abort' })),
    ).toThrow(
      /the stable revision it goes back to is revision svc-a, but the config and image now make revision svc-b/,
    );
  });

  it('GIVEN an aborted candidate WHEN applied again THEN an approval stack asks for its approval again, and a split stack keeps the abort', () => {
    const later = new Date(at.getTime() + 60_000);
    const states = (control: 'split' | 'approval') => {
      const over = { release: blueGreen, control };
      const first = nextTraffic(undefined, input(over));
      const waiting = nextTraffic(first, input({ ...over, stackRevision: 'svc-b' }));
      const aborted = nextTraffic(
        waiting,
        input({
          ...over,
          stackRevision: control === 'approval' ? 'svc-a' : 'svc-b',
          action: 'abort',
        }),
      );
      const again = nextTraffic(
        aborted,
        input({ ...over, stackRevision: 'svc-b', currentRelease: 4, now: later }),
      );
      return { aborted, again };
    };

    expect(states('approval').again).toMatchObject({
      phase: 'waiting',
      candidate_revision: 'svc-b',
      candidate_release: 4,
      started_at: later.toISOString(),
    });
    expect(approvalOf(states('approval').again)).toEqual({ approved: 'svc-a', rejected: '' });
    const split = states('split');
    expect(split.again).toBe(split.aborted);
  });
});
