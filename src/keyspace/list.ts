/**
 * List values: a ring-buffer deque of byte strings.
 *
 * Redis 7.0 keeps every list in a quicklist (a linked list of listpacks) and reports `quicklist` for all of them;
 * the node layout only matters to persistence, which re-chunks from `items()` (formats/rdb writes the 7.0 node
 * layout). Here the elements live in one power-of-two ring, so pushes and pops at both ends are O(1), indexing is
 * O(1) and a range is a contiguous copy. Inserting or removing in the middle shifts the shorter side, as a
 * quicklist also costs O(n) there.
 */
import type { Bytes } from './algorithms/bytes.js';
import type { KeyspaceConfig } from './config.js';

const MIN_CAPACITY = 8;

export class ListValue {
  readonly kind = 'list' as const;
  /** Ring storage; its length is a power of two. Slots outside [head, head + count) hold ''. */
  private ring: Bytes[];
  private head = 0;
  private count = 0;

  private constructor(capacity: number) {
    this.ring = new Array<Bytes>(capacity).fill('');
  }

  /** An empty list (a command creating the key pushes into it right away). */
  static empty(): ListValue {
    return new ListValue(MIN_CAPACITY);
  }

  /** A list holding `items` in order, encoded as Redis would after loading them (RDB load, RESTORE). */
  static fromItems(items: Bytes[], config: KeyspaceConfig): ListValue {
    void config;
    return ListValue.of(items);
  }

  private static of(items: Bytes[]): ListValue {
    const list = new ListValue(capacityFor(items.length));
    for (let i = 0; i < items.length; i++) list.ring[i] = items[i]!;
    list.count = items.length;
    return list;
  }

  /** OBJECT ENCODING. Redis 7.0 reports every list as `quicklist`. */
  get encoding(): string {
    return 'quicklist';
  }

  get length(): number {
    return this.count;
  }

  /** Elements head to tail. */
  *items(): Iterable<Bytes> {
    for (let i = 0; i < this.count; i++) yield this.at(i);
  }

  /** A deep copy (COPY). */
  clone(): ListValue {
    return ListValue.of(this.range(0, this.count - 1));
  }

  /** Element at 0-based `index` from the head; the caller checks 0 <= index < length. */
  at(index: number): Bytes {
    return this.ring[(this.head + index) & (this.ring.length - 1)]!;
  }

  /** Replaces the element at `index` (0 <= index < length). */
  setAt(index: number, value: Bytes): void {
    this.ring[(this.head + index) & (this.ring.length - 1)] = value;
  }

  pushHead(value: Bytes): void {
    if (this.count === this.ring.length) this.resize(this.ring.length * 2);
    this.head = (this.head - 1) & (this.ring.length - 1);
    this.ring[this.head] = value;
    this.count++;
  }

  pushTail(value: Bytes): void {
    if (this.count === this.ring.length) this.resize(this.ring.length * 2);
    this.ring[(this.head + this.count) & (this.ring.length - 1)] = value;
    this.count++;
  }

  /** Removes and returns the head element, or undefined when empty. */
  popHead(): Bytes | undefined {
    if (this.count === 0) return undefined;
    const value = this.ring[this.head]!;
    this.ring[this.head] = '';
    this.head = (this.head + 1) & (this.ring.length - 1);
    this.count--;
    this.shrinkIfSparse();
    return value;
  }

  /** Removes and returns the tail element, or undefined when empty. */
  popTail(): Bytes | undefined {
    if (this.count === 0) return undefined;
    const slot = (this.head + this.count - 1) & (this.ring.length - 1);
    const value = this.ring[slot]!;
    this.ring[slot] = '';
    this.count--;
    this.shrinkIfSparse();
    return value;
  }

  /** Elements from `start` to `end` inclusive, head to tail; the caller clamps to 0 <= start <= end < length. */
  range(start: number, end: number): Bytes[] {
    const out = new Array<Bytes>(Math.max(0, end - start + 1));
    const mask = this.ring.length - 1;
    for (let i = start, j = 0; i <= end; i++, j++) out[j] = this.ring[(this.head + i) & mask]!;
    return out;
  }

  /** Inserts `value` so that it ends up at `index` (0 <= index <= length). */
  insertAt(index: number, value: Bytes): void {
    if (index === 0) return this.pushHead(value);
    if (index === this.count) return this.pushTail(value);
    if (this.count === this.ring.length) this.resize(this.ring.length * 2);
    if (index < this.count / 2) {
      // Shift the head side one slot left.
      this.head = (this.head - 1) & (this.ring.length - 1);
      for (let i = 0; i < index; i++) this.setAt(i, this.at(i + 1));
    } else {
      for (let i = this.count; i > index; i--) this.setAt(i, this.at(i - 1));
    }
    this.count++;
    this.setAt(index, value);
  }

  /** Removes the element at `index` (0 <= index < length), shifting the shorter side. */
  removeAt(index: number): void {
    if (index < this.count / 2) {
      for (let i = index; i > 0; i--) this.setAt(i, this.at(i - 1));
      this.ring[this.head] = '';
      this.head = (this.head + 1) & (this.ring.length - 1);
    } else {
      for (let i = index; i < this.count - 1; i++) this.setAt(i, this.at(i + 1));
      this.setAt(this.count - 1, '');
    }
    this.count--;
    this.shrinkIfSparse();
  }

  /** Keeps only elements [start, end] (0 <= start <= end < length), or empties the list when start > end. */
  trim(start: number, end: number): void {
    const kept = start > end ? [] : this.range(start, end);
    this.ring = new Array<Bytes>(capacityFor(kept.length)).fill('');
    for (let i = 0; i < kept.length; i++) this.ring[i] = kept[i]!;
    this.head = 0;
    this.count = kept.length;
  }

  /**
   * Removes elements equal to `value`: up to `limit` of them (0 = all), scanning from the head, or from the
   * tail when `fromTail`. Returns how many were removed.
   */
  removeMatching(value: Bytes, limit: number, fromTail: boolean): number {
    const all = this.range(0, this.count - 1);
    const kept: Bytes[] = [];
    let removed = 0;
    if (!fromTail) {
      for (const item of all) {
        if (item === value && (limit === 0 || removed < limit)) removed++;
        else kept.push(item);
      }
    } else {
      for (let i = all.length - 1; i >= 0; i--) {
        const item = all[i]!;
        if (item === value && (limit === 0 || removed < limit)) removed++;
        else kept.push(item);
      }
      kept.reverse();
    }
    if (removed > 0) {
      this.ring = new Array<Bytes>(capacityFor(kept.length)).fill('');
      for (let i = 0; i < kept.length; i++) this.ring[i] = kept[i]!;
      this.head = 0;
      this.count = kept.length;
    }
    return removed;
  }

  private resize(capacity: number): void {
    const next = new Array<Bytes>(capacity).fill('');
    const mask = this.ring.length - 1;
    for (let i = 0; i < this.count; i++) next[i] = this.ring[(this.head + i) & mask]!;
    this.ring = next;
    this.head = 0;
  }

  /** Gives memory back when a large ring is mostly empty. */
  private shrinkIfSparse(): void {
    const capacity = this.ring.length;
    if (capacity > 1024 && this.count < capacity / 4) this.resize(capacity / 2);
  }
}

function capacityFor(n: number): number {
  let capacity = MIN_CAPACITY;
  while (capacity < n) capacity *= 2;
  return capacity;
}
