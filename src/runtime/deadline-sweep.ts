/**
 * Deadlines for work that usually finishes long before them (a request body arriving), kept in
 * a linked list (linked-list.ts says why not a Set) and checked by one timer, instead of a
 * setTimeout and clearTimeout per item: on a small request those were about 0.5 us of the HTTP
 * thread's 30 (docs/benchmarks.md). A deadline fires at most `resolution(ms)` late, a tenth of
 * the timeout here (between 5 ms and 1 s).
 */
import { LinkedList, ListItem } from './linked-list.js';

export interface Deadline {
  /** Moves the deadline to `ms` from now, with a new action (a drain shortening the wait). */
  reset(ms: number, onExpire: () => void): void;
  /** The work finished: the deadline will not fire. */
  cancel(): void;
}

/** A deadline is its own list item: adding one allocates a single object. */
class Entry extends ListItem implements Deadline {
  constructor(
    private readonly sweep: DeadlineSweep,
    public at: number,
    public onExpire: () => void,
  ) {
    super();
  }

  reset(ms: number, onExpire: () => void): void {
    this.sweep.rearm(this, ms, onExpire);
  }

  cancel(): void {
    this.unlink();
  }
}

export class DeadlineSweep {
  private readonly entries = new LinkedList<Entry>();
  private timer: NodeJS.Timeout | undefined;
  private period = Infinity;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Calls `onExpire` once, about `ms` from now, unless cancelled first. */
  add(ms: number, onExpire: () => void): Deadline {
    const entry = new Entry(this, this.now() + ms, onExpire);
    this.entries.push(entry);
    this.watch(ms);
    return entry;
  }

  /** Entry.reset: `ms` from now, with `onExpire`; back in the list if it had expired. @internal */
  rearm(entry: Entry, ms: number, onExpire: () => void): void {
    entry.at = this.now() + ms;
    entry.onExpire = onExpire;
    this.entries.push(entry);
    this.watch(ms);
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
    for (const entry of this.entries.removeWhere((item) => item.at <= now)) entry.onExpire();
    if (this.entries.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.period = Infinity;
    }
  }
}
