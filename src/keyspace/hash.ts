/**
 * Hash values: fields and values in a `Dict`, with Redis 7.0's encoding rules.
 *
 * Redis keeps a small hash in a listpack (insertion order; an updated field keeps its place, a deleted one
 * closes the gap) and converts it to a hash table once it holds more than `hash-max-listpack-entries` fields or
 * a field or value longer than `hash-max-listpack-value` bytes; it never converts back. The Dict iterates in
 * insertion order with exactly those listpack semantics, so replies of listpack hashes come out in Redis's order;
 * after conversion the order is a hash table's (Redis's is random), and the Dict's slots give HSCAN a stable
 * cursor and HRANDFIELD O(1) random picks.
 */
import type { Bytes } from './algorithms/bytes.js';
import type { KeyspaceConfig } from './config.js';
import { Dict, type DictEntry } from './dict.js';

export class HashValue {
  readonly kind = 'hash' as const;
  readonly dict: Dict<Bytes>;
  private listpack: boolean;

  private constructor(dict: Dict<Bytes>, listpack: boolean) {
    this.dict = dict;
    this.listpack = listpack;
  }

  /** An empty listpack hash (HSET creating the key; redis createHashObject). */
  static empty(): HashValue {
    return new HashValue(new Dict(), true);
  }

  /**
   * A hash of `entries`, encoded as Redis would after loading them: a listpack within both thresholds, or, when
   * they were stored as a listpack (`compact`), within the entry count alone.
   */
  static fromEntries(entries: Iterable<[Bytes, Bytes]>, config: KeyspaceConfig, compact = false): HashValue {
    const hash = new HashValue(new Dict(), true);
    for (const [f, v] of entries) hash.dict.set(f, v);
    hash.listpack = hash.size <= config.hashMaxListpackEntries;
    if (hash.listpack && !compact) {
      for (const entry of hash.dict.values()) {
        if (entry.key.length > config.hashMaxListpackValue || entry.value.length > config.hashMaxListpackValue) {
          hash.listpack = false;
          break;
        }
      }
    }
    return hash;
  }

  get encoding(): string {
    return this.listpack ? 'listpack' : 'hashtable';
  }

  get isListpack(): boolean {
    return this.listpack;
  }

  get size(): number {
    return this.dict.size;
  }

  /** Field/value pairs, in the order Redis would iterate them for a listpack (insertion order). */
  *entries(): Iterable<[Bytes, Bytes]> {
    for (const entry of this.dict.values()) yield [entry.key, entry.value];
  }

  get(field: Bytes): Bytes | undefined {
    return this.dict.get(field)?.value;
  }

  has(field: Bytes): boolean {
    return this.dict.has(field);
  }

  /**
   * hashTypeSet: converts to a hash table first when `field` or `value` is too long for a listpack, sets the
   * field, then converts when the listpack grew past the entry limit. Returns true when the field is new.
   */
  set(field: Bytes, value: Bytes, config: KeyspaceConfig): boolean {
    if (this.listpack && (field.length > config.hashMaxListpackValue || value.length > config.hashMaxListpackValue)) {
      this.listpack = false;
    }
    const existed = this.dict.has(field);
    this.dict.set(field, value);
    if (this.listpack && this.dict.size > config.hashMaxListpackEntries) this.listpack = false;
    return !existed;
  }

  /** hashTypeTryConversion: converts when any of `args[from..]` (fields and values) is too long for a listpack. */
  convertForValues(args: readonly Bytes[], from: number, config: KeyspaceConfig): void {
    if (!this.listpack) return;
    for (let i = from; i < args.length; i++) {
      if (args[i]!.length > config.hashMaxListpackValue) {
        this.listpack = false;
        return;
      }
    }
  }

  /** Removes `field`; true when it existed. */
  delete(field: Bytes): boolean {
    return this.dict.delete(field) !== undefined;
  }

  /** A uniformly random entry; undefined when empty. */
  random(random: () => number): DictEntry<Bytes> | undefined {
    return this.dict.random(random);
  }

  clone(): HashValue {
    const copy = new HashValue(new Dict(), this.listpack);
    for (const entry of this.dict.values()) copy.dict.set(entry.key, entry.value);
    return copy;
  }
}
