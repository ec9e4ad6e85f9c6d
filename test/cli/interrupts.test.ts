/**
 * interruptible() in-process: signals are delivered with process.emit, which runs the same
 * listeners a real SIGINT/SIGTERM would (the CLI-level tests send real ones).
 */
import { describe, expect, it } from 'vitest';
import { interruptible, untilInterrupted } from '../../src/cli/interrupts.js';
import { errors, InterruptedError } from '../../src/errors/index.js';
import { bentoctlFailure } from '../helpers/bentoctl-failure.js';

const deliver = (signal: 'SIGINT' | 'SIGTERM') => process.emit(signal, signal);

describe('interruptible', () => {
  it('GIVEN a task that fails after SIGINT THEN the failure is INTERRUPTED, exit 130, naming what ran', async () => {
    const failure = await bentoctlFailure(
      interruptible('build of iris', async (interrupts) => {
        interrupts.doing('push of iris', ['the build record is unchanged']);
        deliver('SIGINT');
        expect(interrupts.signal.aborted).toBe(true);
        expect(interrupts.signal.reason).toBe('SIGINT');
        throw new Error('push aborted');
      }),
    );

    expect(failure).toBeInstanceOf(InterruptedError);
    expect(failure).toMatchObject({ code: 'INTERRUPTED', kind: 'interrupted', exitCode: 130 });
    expect(failure.message).toBe(
      'Interrupted push of iris (SIGINT); the build record is unchanged.',
    );
  });

  it('GIVEN a task that returns after SIGTERM THEN its result stands (a server stops this way)', async () => {
    const result = await interruptible('serve', async (interrupts) => {
      const stopped = new Promise<string>((resolve) =>
        interrupts.signal.addEventListener('abort', () => resolve('drained')),
      );
      deliver('SIGTERM');
      expect(interrupts.received).toBe('SIGTERM');
      return stopped;
    });

    expect(result).toBe('drained');
  });

  it('GIVEN several signals THEN every one reaches onSignal and the first is the one reported', async () => {
    const seen: string[] = [];
    const failure = await bentoctlFailure(
      interruptible('plan', async (interrupts) => {
        interrupts.onSignal((signal) => seen.push(signal));
        deliver('SIGTERM');
        deliver('SIGINT');
        throw new Error('stopped');
      }),
    );

    expect(seen).toEqual(['SIGTERM', 'SIGINT']);
    expect(failure.message).toMatch(/^Interrupted plan \(SIGTERM\)\.$/);
  });

  it('GIVEN an InterruptedError from inside (the terraform runner) THEN it passes unchanged', async () => {
    const inner = errors.interrupted({
      activity: 'terraform apply',
      signal: 'SIGINT',
      notes: ['terraform stopped gracefully'],
    });
    const failure = await bentoctlFailure(
      interruptible('apply', async () => {
        deliver('SIGINT');
        throw inner;
      }),
    );

    expect(failure).toBe(inner);
  });

  it('GIVEN no signal THEN a failure is left as it is', async () => {
    const failure = await bentoctlFailure(
      interruptible('plan', async () => {
        throw errors.configNotFound('x.yaml');
      }),
    );

    expect(failure.code).toBe('CONFIG_NOT_FOUND');
  });

  it("GIVEN the task is over THEN its listeners are gone, so Node's default handling is back", async () => {
    const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    await interruptible('plan', async () => {
      expect(process.listenerCount('SIGINT')).toBe((before[0] ?? 0) + 1);
      expect(process.listenerCount('SIGTERM')).toBe((before[1] ?? 0) + 1);
    });

    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(before);
  });

  it('GIVEN a wait that cannot be cancelled WHEN a signal comes THEN untilInterrupted rejects at once', async () => {
    const failure = await bentoctlFailure(
      interruptible('the wait for /readyz', async (interrupts) => {
        const never = new Promise<void>(() => undefined);
        const waiting = untilInterrupted(never, interrupts);
        deliver('SIGINT');
        await waiting;
      }),
    );

    expect(failure.message).toBe('Interrupted the wait for /readyz (SIGINT).');
  });
});
