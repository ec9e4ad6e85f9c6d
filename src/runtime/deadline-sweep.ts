/**
 * Deadlines for work that usually finishes long before them (a request body arriving), kept in
 * a set and checked by one timer, instead of a setTimeout and clearTimeout per item: on a small
 * request those were about 0.5 us of the HTTP thread's 30 (docs/benchmarks.md). A deadline
 * fires at most `resolution(ms)` late, a tenth of the timeout here (between 5 ms and 1 s).
 */
export interface Deadline {
  /** Moves the deadline to `ms` from now, with a new action (a drain shortening the wait). */
  reset(ms: number, onExpire: () => void): void;
  /** The work finished: the deadline will not fire. */
  cancel(): void;
}

interface Entry {
  at: number;
  onExpire: () => void;
}

export class DeadlineSweep {
  private readonly entries = new Set<Entry>();
  private timer: NodeJS.Timeout | undefined;
  private period = Infinity;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Calls `onExpire` once, about `ms` from now, unless cancelled first. */
  add(ms: number, onExpire: () => void): Deadline {
    const entry: Entry = { at: this.now() + ms, onExpire };
    this.entries.add(entry);
    this.watch(ms);
    return {
      reset: (next, action) => {
        entry.at = this.now() + next;
        entry.onExpire = action;
        // Back in the set if it had expired (adding one already there changes nothing).
        this.entries.add(entry);
        this.watch(next);
      },
      cancel: () => {
        this.entries.delete(entry);
      },
    };
  }

  /** Items watched now (for tests). */
  get size(): number {
    return this.entries.size;
  }

  private watch(ms: number): void {
    const period = Math.min(1000, Math.max(5, ms / 10));
    if (this.timer !== undefined && period >= this.period) return;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.period = period;
    this.timer = setInterval(() => this.sweep(), period);
  }

  private sweep(): void {
    const now = this.now();
    for (const entry of this.entries) {
      if (entry.at > now) continue;
      this.entries.delete(entry);
      entry.onExpire();
    }
    if (this.entries.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.period = Infinity;
    }
  }
}
