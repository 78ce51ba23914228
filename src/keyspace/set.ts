/**
 * Set values. Placeholder representation until the data-types work lands; the public API below is the contract
 * other modules (digest, persistence, COPY) rely on, and must be kept.
 */
import type { Bytes } from './algorithms/bytes.js';
import type { KeyspaceConfig } from './config.js';
import { isCanonicalInt64 } from './string.js';

export class SetValue {
  readonly kind = 'set' as const;
  private readonly members_: Set<Bytes>;
  private intset: boolean;

  private constructor(members: Set<Bytes>, intset: boolean) {
    this.members_ = members;
    this.intset = intset;
  }

  /** A set of `members`, encoded as Redis would after loading them (intset when all are integers and few). */
  static fromMembers(members: Iterable<Bytes>, config: KeyspaceConfig): SetValue {
    const set = new Set(members);
    let intset = set.size <= config.setMaxIntsetEntries;
    if (intset) for (const m of set) if (!isCanonicalInt64(m)) intset = false;
    return new SetValue(set, intset);
  }

  get encoding(): string {
    return this.intset ? 'intset' : 'hashtable';
  }

  get size(): number {
    return this.members_.size;
  }

  members(): Iterable<Bytes> {
    return this.members_;
  }

  clone(): SetValue {
    return new SetValue(new Set(this.members_), this.intset);
  }
}
