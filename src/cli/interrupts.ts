/**
 * SIGINT and SIGTERM, handled in one place for every command. Node's default for both ends the
 * process at once, which abandons whatever bentoctl started: terraform mid-apply (it then dies
 * on its next write to the closed pipe, holding its state lock, resources half made), a
 * container mid-drain, a push mid-upload.
 *
 * Inside `interruptible`, both signals are caught for the task's whole life. The first aborts
 * `interrupts.signal`; every one, the first included, reaches the `onSignal` listeners (the
 * terraform runner forwards each to terraform, which decides what a second one means). The
 * task decides when it is done: a server stopping on Ctrl-C simply returns. When the task fails
 * after a signal, the failure is reported as INTERRUPTED (exit 130) naming what was running,
 * unless it already is an InterruptedError that knows more (terraform's runner).
 */
import { errors, InterruptedError } from '../errors/index.js';

/** The signals that ask bentoctl to stop: Ctrl-C, and what CI runners and `kill` send. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

export interface Interrupts {
  /** Aborted at the first stop signal; its reason is the signal's name. */
  readonly signal: AbortSignal;
  /** The first stop signal received; undefined while none came. */
  readonly received: StopSignal | undefined;
  /** Calls `listener` for each stop signal from now on; returns the function that stops it. */
  onSignal(listener: (signal: StopSignal) => void): () => void;
  /**
   * Names what runs now, for the message if a signal ends it (`apply of iris-prod`), with what
   * would then be true (`the build record is unchanged`).
   */
  doing(activity: string, notes?: readonly string[]): void;
}

/** Runs `task` with SIGINT and SIGTERM caught (see the file comment). */
export async function interruptible<T>(
  activity: string,
  task: (interrupts: Interrupts) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const listeners = new Set<(signal: StopSignal) => void>();
  let received: StopSignal | undefined;
  let current = { activity, notes: [] as readonly string[] };
  const onProcessSignal = (signal: StopSignal): void => {
    received ??= signal;
    if (!controller.signal.aborted) controller.abort(signal);
    for (const listener of [...listeners]) listener(signal);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onProcessSignal);
  const interrupts: Interrupts = {
    signal: controller.signal,
    get received() {
      return received;
    },
    onSignal(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    doing(next, notes = []) {
      current = { activity: next, notes };
    },
  };
  try {
    return await task(interrupts);
  } catch (error) {
    if (received === undefined || error instanceof InterruptedError) throw error;
    throw errors.interrupted({ ...current, signal: received });
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onProcessSignal);
  }
}

/**
 * `promise`, or a rejection at the first stop signal, for waits that cannot be cancelled and
 * need not finish (polling an endpoint): the process ends soon after, and the wait with it.
 */
export function untilInterrupted<T>(
  promise: Promise<T>,
  interrupts: Pick<Interrupts, 'signal'>,
): Promise<T> {
  if (interrupts.signal.aborted) return Promise.reject(new Error('interrupted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('interrupted'));
    interrupts.signal.addEventListener('abort', onAbort, { once: true });
    promise
      .then(resolve, reject)
      .finally(() => interrupts.signal.removeEventListener('abort', onAbort));
  });
}
