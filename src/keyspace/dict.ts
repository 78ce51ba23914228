/**
 * Dict: a string-keyed table with stable scan cursors and O(1) random picks.
 *
 * A JS Map gives fast lookups but neither a resumable cursor (SCAN must return every element present for the
 * whole iteration, across calls and concurrent writes) nor random access (RANDOMKEY, SRANDMEMBER, SPOP). So each
 * entry also owns a slot in a dense array; entries never move between slots while they live, and a freed slot is
 * reused by a later insert. A cursor is a slot index: elements present throughout a scan are returned exactly
 * once, elements added or removed meanwhile may or may not be (the guarantee Redis's SCAN gives). Trailing free
 * slots are trimmed, so a dict that shrinks from the end gives its memory back.
 */

export interface DictEntry<V> {
  readonly key: string;
  value: V;
  /** Index in `slots`, owned by the Dict. */
  slot: number;
  /** Free for the owner: the keyspace keeps the LRU clock / LFU counter here. */
  meta: number;
}

export class Dict<V> {
  private readonly map = new Map<string, DictEntry<V>>();
  private slots: (DictEntry<V> | undefined)[] = [];
  private free: number[] = [];

  get size(): number {
    return this.map.size;
  }

  get(key: string): DictEntry<V> | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** Inserts or replaces; returns the entry. */
  set(key: string, value: V): DictEntry<V> {
    const existing = this.map.get(key);
    if (existing !== undefined) {
      existing.value = value;
      return existing;
    }
    const slot = this.allocateSlot();
    const entry: DictEntry<V> = { key, value, slot, meta: 0 };
    this.slots[slot] = entry;
    this.map.set(key, entry);
    return entry;
  }

  delete(key: string): DictEntry<V> | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    this.map.delete(key);
    this.slots[entry.slot] = undefined;
    if (entry.slot === this.slots.length - 1) {
      this.trimTail();
    } else {
      this.free.push(entry.slot);
    }
    return entry;
  }

  clear(): void {
    this.map.clear();
    this.slots = [];
    this.free = [];
  }

  /** Entries in insertion order (Map order). */
  values(): IterableIterator<DictEntry<V>> {
    return this.map.values();
  }

  keys(): IterableIterator<string> {
    return this.map.keys();
  }

  /**
   * Visits slots from `cursor` until `count` entries were seen or the end was reached; returns the next cursor,
   * 0 when the scan is complete.
   */
  scan(cursor: number, count: number, visit: (entry: DictEntry<V>) => void): number {
    let i = cursor;
    let seen = 0;
    const end = this.slots.length;
    while (i < end && seen < count) {
      const entry = this.slots[i++];
      if (entry !== undefined) {
        visit(entry);
        seen++;
      }
    }
    return i >= end ? 0 : i;
  }

  /** A uniformly random entry, or undefined when empty. `random()` returns a float in [0, 1). */
  random(random: () => number): DictEntry<V> | undefined {
    if (this.map.size === 0) return undefined;
    const n = this.slots.length;
    // Slots are at least half full unless many deletes left holes: try a few picks, then walk.
    for (let tries = 0; tries < 32; tries++) {
      const entry = this.slots[Math.floor(random() * n)];
      if (entry !== undefined) return entry;
    }
    let i = Math.floor(random() * n);
    for (;;) {
      const entry = this.slots[i];
      if (entry !== undefined) return entry;
      i = (i + 1) % n;
    }
  }

  /** A free slot: a reused hole, else a new one at the end. Holes cut off by `trimTail` are dropped here. */
  private allocateSlot(): number {
    while (this.free.length > 0) {
      const slot = this.free.pop()!;
      if (slot < this.slots.length && this.slots[slot] === undefined) return slot;
    }
    return this.slots.length;
  }

  private trimTail(): void {
    let n = this.slots.length;
    while (n > 0 && this.slots[n - 1] === undefined) n--;
    this.slots.length = n;
  }
}
