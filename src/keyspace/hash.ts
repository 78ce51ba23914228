/**
 * Hash values. Placeholder representation until the data-types work lands; the public API below is the contract
 * other modules (digest, persistence, COPY) rely on, and must be kept.
 */
import type { Bytes } from './algorithms/bytes.js';
import type { KeyspaceConfig } from './config.js';

export class HashValue {
  readonly kind = 'hash' as const;
  private readonly map: Map<Bytes, Bytes>;
  private listpack: boolean;

  private constructor(map: Map<Bytes, Bytes>, listpack: boolean) {
    this.map = map;
    this.listpack = listpack;
  }

  /** A hash of `entries`, encoded as Redis would after loading them (listpack within the thresholds). */
  static fromEntries(entries: Iterable<[Bytes, Bytes]>, config: KeyspaceConfig): HashValue {
    const map = new Map(entries);
    let listpack = map.size <= config.hashMaxListpackEntries;
    if (listpack) {
      for (const [f, v] of map) {
        if (f.length > config.hashMaxListpackValue || v.length > config.hashMaxListpackValue) {
          listpack = false;
          break;
        }
      }
    }
    return new HashValue(map, listpack);
  }

  get encoding(): string {
    return this.listpack ? 'listpack' : 'hashtable';
  }

  get size(): number {
    return this.map.size;
  }

  /** Field/value pairs, in the order Redis would iterate them for a listpack (insertion order). */
  entries(): Iterable<[Bytes, Bytes]> {
    return this.map.entries();
  }

  clone(): HashValue {
    return new HashValue(new Map(this.map), this.listpack);
  }
}
