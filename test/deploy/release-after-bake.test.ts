/** The bake wait of `release promote --after-bake`: until the bake's end, bounded, stoppable. */
import { describe, expect, it } from 'vitest';
import type { Interrupts } from '../../src/cli/interrupts.js';
import { assertCheckedCandidate } from '../../src/deploy/move-traffic.js';
import { waitOutBake } from '../../src/deploy/release-after-bake.js';
import type { TrafficState } from '../../src/deploy/traffic-state.js';

function interrupts(controller = new AbortController()): Interrupts {
  return {
    signal: controller.signal,
    received: undefined,
    onSignal: () => () => undefined,
    doing: () => undefined,
  };
}

/** A canary of `bakeMinutes` that started `agoMs` ago. */
function canary(bakeMinutes: number, agoMs: number): TrafficState {
  return {
    strategy: 'canary',
    phase: 'canary',
    stable_revision: 'svc-a',
    stable_release: 1,
    candidate_revision: 'svc-b',
    candidate_release: 2,
    percent: 10,
    started_at: new Date(Date.now() - agoMs).toISOString(),
    bake_minutes: bakeMinutes,
  };
}

describe('waitOutBake', () => {
  it('GIVEN a bake ending in about a second THEN it sleeps until then (and a little past) and says so', async () => {
    const lines: string[] = [];
    const started = Date.now();
    const waited = await waitOutBake('iris', canary(1, 59_000), {
      interrupts: interrupts(),
      say: (line) => lines.push(line),
      maxBakeWaitMinutes: 60,
    });
    // The bake ends 60 s after started_at; the wait ends after it.
    expect(Date.now()).toBeGreaterThanOrEqual(started + 1_000);
    expect(waited).toBeGreaterThanOrEqual(1);
    expect(lines[0]).toBe(
      'Waiting 1 min for the canary of iris (10 % to revision svc-b) to finish its bake of 1 min',
    );
  });

  it('GIVEN a baked canary, or a blue-green candidate THEN nothing is waited for', async () => {
    const options = { interrupts: interrupts(), say: () => undefined, maxBakeWaitMinutes: 0 };
    expect(await waitOutBake('iris', canary(15, 16 * 60_000), options)).toBe(0);
    expect(
      await waitOutBake('iris', { ...canary(15, 0), phase: 'waiting', percent: 0 }, options),
    ).toBe(0);
  });

  it('GIVEN more bake left than the limit THEN RELEASE_BAKE_TOO_LONG at once', async () => {
    await expect(
      waitOutBake('iris', canary(30, 60_000), {
        interrupts: interrupts(),
        say: () => undefined,
        maxBakeWaitMinutes: 10,
      }),
    ).rejects.toMatchObject({ code: 'RELEASE_BAKE_TOO_LONG' });
  });

  it('GIVEN a stop signal during the wait THEN the wait ends at once with a rejection', async () => {
    const controller = new AbortController();
    const waiting = waitOutBake('iris', canary(15, 0), {
      interrupts: interrupts(controller),
      say: () => undefined,
      maxBakeWaitMinutes: 60,
    });
    controller.abort('SIGINT');
    await expect(waiting).rejects.toThrow();
  });
});

describe('assertCheckedCandidate', () => {
  it('GIVEN the candidate checked is still the one in the state THEN the move goes ahead', () => {
    expect(() => assertCheckedCandidate('iris', 'promote', canary(15, 0), 'svc-b')).not.toThrow();
  });

  it('GIVEN an apply started another candidate meanwhile THEN neither promote nor abort moves it', () => {
    const replaced = { ...canary(15, 0), candidate_revision: 'svc-c' };
    for (const action of ['promote', 'abort'] as const) {
      expect(() => assertCheckedCandidate('iris', action, replaced, 'svc-b')).toThrow(
        expect.objectContaining({
          code: 'RELEASE_CANDIDATE_CHANGED',
          message: `Cannot ${action} the release of iris: revision svc-b was the candidate bentoctl checked, but the state now names revision svc-c (an apply or a release command ran meanwhile), so nothing was planned.`,
        }),
      );
    }
  });

  it('GIVEN someone promoted it meanwhile THEN the state names no candidate and it stops', () => {
    const settled = { ...canary(15, 0), phase: 'settled' as const, stable_revision: 'svc-b' };
    expect(() => assertCheckedCandidate('iris', 'promote', settled, 'svc-b')).toThrow(
      /the state now names no candidate/,
    );
  });
});
