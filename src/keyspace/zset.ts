/**
 * Sorted set values. Placeholder representation until the data-types work lands; the public API below is the
 * contract other modules (digest, persistence, COPY) rely on, and must be kept.
 */
import type { Bytes } from './algorithms/bytes.js';
import type { KeyspaceConfig } from './config.js';

export class ZSetValue {
  readonly kind = 'zset' as const;
  private readonly sorted: [Bytes, number][];
  private listpack: boolean;

  private constructor(sorted: [Bytes, number][], listpack: boolean) {
    this.sorted = sorted;
    this.listpack = listpack;
  }

  /** A sorted set of `entries` (member, score), encoded as Redis would after loading them. */
  static fromEntries(entries: Iterable<[Bytes, number]>, config: KeyspaceConfig): ZSetValue {
    const map = new Map(entries);
    const sorted = [...map].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    let listpack = sorted.length <= config.zsetMaxListpackEntries;
    if (listpack) for (const [m] of sorted) if (m.length > config.zsetMaxListpackValue) listpack = false;
    return new ZSetValue(sorted, listpack);
  }

  get encoding(): string {
    return this.listpack ? 'listpack' : 'skiplist';
  }

  get size(): number {
    return this.sorted.length;
  }

  /** (member, score) pairs in rank order: by score, then by member bytes. */
  entries(): Iterable<[Bytes, number]> {
    return this.sorted;
  }

  clone(): ZSetValue {
    return new ZSetValue(this.sorted.map(([m, s]) => [m, s]), this.listpack);
  }
}
