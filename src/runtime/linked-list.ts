/**
 * A doubly linked list whose items are their own links, for the long-lived registries the
 * request path adds to and removes from on every request or batch (body deadlines, drain
 * watchers, an inference thread's pending jobs).
 *
 * Why not a Set: V8 rebuilds a Set's hash table when deletions leave it sparse and when
 * additions fill it, and it allocates the new table in the generation of the old one. A Set
 * that lives as long as the server is in the old generation, so at 20 k requests/s its churn
 * put about 240 bytes per request straight into old space: the profile's largest share of
 * what outlived the young generation, and the major collections behind iris's p99 at half of
 * peak (docs/benchmarks.md). Linking and unlinking an item allocates nothing.
 */
export class ListItem {
  /** @internal */ prev: ListItem | null = null;
  /** @internal */ next: ListItem | null = null;
  /** @internal */ list: LinkedList<ListItem> | null = null;

  /** Whether the item is in a list now. */
  get linked(): boolean {
    return this.list !== null;
  }

  /** Takes the item out of its list; nothing when it is in none. */
  unlink(): void {
    this.list?.remove(this);
  }
}

export class LinkedList<T extends ListItem> {
  private head: T | null = null;
  private tail: T | null = null;
  private count = 0;

  /** Items in the list. */
  get size(): number {
    return this.count;
  }

  /** Appends `item`, first taking it out of the list it is in (this one included). */
  push(item: T): void {
    item.unlink();
    item.list = this as LinkedList<ListItem>;
    item.prev = this.tail;
    item.next = null;
    if (this.tail === null) this.head = item;
    else this.tail.next = item;
    this.tail = item;
    this.count++;
  }

  /** Takes `item` out; nothing when it is not in this list. */
  remove(item: T): void {
    if (item.list !== (this as LinkedList<ListItem>)) return;
    if (item.prev === null) this.head = item.next as T | null;
    else item.prev.next = item.next;
    if (item.next === null) this.tail = item.prev as T | null;
    else item.next.prev = item.prev;
    item.prev = item.next = item.list = null;
    this.count--;
  }

  /**
   * Takes out the items `matches` accepts and returns them in list order. Callers act on them
   * after the walk, so an action that links or unlinks items cannot derail it.
   */
  removeWhere(matches: (item: T) => boolean): T[] {
    const removed: T[] = [];
    for (let item = this.head; item !== null;) {
      const next = item.next as T | null;
      if (matches(item)) {
        this.remove(item);
        removed.push(item);
      }
      item = next;
    }
    return removed;
  }
}
