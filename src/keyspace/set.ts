/**
 * Set values with Redis 7.0's two encodings.
 *
 * An intset holds only canonical int64 members (string2ll), sorted by value, so its iteration order (SMEMBERS,
 * SSCAN, SUNION results) is Redis's exact order; it becomes a hash table when a non-integer member is added or it
 * grows past `set-max-intset-entries`, and never converts back. Redis 7.0 has no listpack sets. The hash table is
 * a `Dict` (stable SSCAN cursor, O(1) random member); Redis's own hash-table order is random, ours is insertion
 * order. Members are kept as their canonical strings, so both encodings reply with the same bytes Redis does.
 */
import type { Bytes } from './algorithms/bytes.js';
import type { KeyspaceConfig } from './config.js';
import { Dict } from './dict.js';
import { isCanonicalInt64 } from './string.js';

/** Redis caps intsets at 2^30 entries whatever the configuration says. */
const INTSET_ENTRIES_CAP = 1 << 30;

export class SetValue {
  readonly kind = 'set' as const;
  /** Sorted canonical integers while the set is an intset, else null. */
  private ints: Bytes[] | null;
  /** The members once the set is a hash table, else null. */
  private table: Dict<null> | null;

  private constructor(intset: boolean) {
    this.ints = intset ? [] : null;
    this.table = intset ? null : new Dict<null>();
  }

  /** setTypeCreate: an empty intset when `firstMember` is an integer, else an empty hash table. */
  static forMember(firstMember: Bytes): SetValue {
    return new SetValue(isCanonicalInt64(firstMember));
  }

  /** An empty set in the given encoding (createIntsetObject / createSetObject). */
  static empty(intset: boolean): SetValue {
    return new SetValue(intset);
  }

  /** A set of `members`, encoded as Redis would after loading them (intset when all are integers and few). */
  static fromMembers(members: Iterable<Bytes>, config: KeyspaceConfig): SetValue {
    const set = new SetValue(true);
    for (const m of members) set.add(m, config);
    return set;
  }

  get encoding(): string {
    return this.ints !== null ? 'intset' : 'hashtable';
  }

  get isIntset(): boolean {
    return this.ints !== null;
  }

  get size(): number {
    return this.ints !== null ? this.ints.length : this.table!.size;
  }

  /** Members in iteration order: ascending integers for an intset, the Dict's order for a hash table. */
  *members(): Iterable<Bytes> {
    if (this.ints !== null) {
      yield* this.ints;
      return;
    }
    yield* this.table!.keys();
  }

  /** The hash table behind a hashtable-encoded set (SSCAN cursor), or null for an intset. */
  get dict(): Dict<null> | null {
    return this.table;
  }

  has(member: Bytes): boolean {
    if (this.ints !== null) return isCanonicalInt64(member) && this.intIndex(member) >= 0;
    return this.table!.has(member);
  }

  /** setTypeAdd, with Redis's conversions. Returns true when the member is new. */
  add(member: Bytes, config: KeyspaceConfig): boolean {
    if (this.ints !== null) {
      if (isCanonicalInt64(member)) {
        const index = this.intIndex(member);
        if (index >= 0) return false;
        this.ints.splice(-index - 1, 0, member);
        const limit = Math.min(config.setMaxIntsetEntries, INTSET_ENTRIES_CAP);
        if (this.ints.length > limit) this.toTable();
        return true;
      }
      this.toTable();
    }
    const table = this.table!;
    if (table.has(member)) return false;
    table.set(member, null);
    return true;
  }

  /** Removes `member`; true when it was there. */
  remove(member: Bytes): boolean {
    if (this.ints !== null) {
      if (!isCanonicalInt64(member)) return false;
      const index = this.intIndex(member);
      if (index < 0) return false;
      this.ints.splice(index, 1);
      return true;
    }
    return this.table!.delete(member) !== undefined;
  }

  /** A uniformly random member; undefined when empty. */
  random(random: () => number): Bytes | undefined {
    if (this.ints !== null) return this.ints[Math.floor(random() * this.ints.length)];
    return this.table!.random(random)?.key;
  }

  clone(): SetValue {
    const copy = new SetValue(this.ints !== null);
    if (this.ints !== null) copy.ints = [...this.ints];
    else for (const m of this.table!.keys()) copy.table!.set(m, null);
    return copy;
  }

  private toTable(): void {
    const table = new Dict<null>();
    for (const m of this.ints!) table.set(m, null);
    this.table = table;
    this.ints = null;
  }

  /** Binary search in the intset: the index of `member`, or -(insertion point) - 1. */
  private intIndex(member: Bytes): number {
    const ints = this.ints!;
    let low = 0;
    let high = ints.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const c = compareCanonicalInts(ints[mid]!, member);
      if (c === 0) return mid;
      if (c < 0) low = mid + 1;
      else high = mid - 1;
    }
    return -low - 1;
  }
}

/** Numeric order of two canonical int64 strings, without parsing them. */
function compareCanonicalInts(a: Bytes, b: Bytes): number {
  const negativeA = a.charCodeAt(0) === 45;
  const negativeB = b.charCodeAt(0) === 45;
  if (negativeA !== negativeB) return negativeA ? -1 : 1;
  let c: number;
  if (a.length !== b.length) c = a.length < b.length ? -1 : 1;
  else c = a < b ? -1 : a > b ? 1 : 0;
  return negativeA ? -c : c;
}
