/**
 * List values. Placeholder representation (a plain array) until the data-types work lands; the public API below
 * is the contract other modules (digest, persistence, COPY) rely on, and must be kept.
 */
import type { Bytes } from './algorithms/bytes.js';
import type { KeyspaceConfig } from './config.js';

export class ListValue {
  readonly kind = 'list' as const;
  private readonly data: Bytes[];

  private constructor(items: Bytes[]) {
    this.data = items;
  }

  /** A list holding `items` in order, encoded as Redis would after loading them (RDB load, RESTORE). */
  static fromItems(items: Bytes[], config: KeyspaceConfig): ListValue {
    void config;
    return new ListValue(items);
  }

  /** OBJECT ENCODING. Redis 7.0 reports every list as `quicklist`. */
  get encoding(): string {
    return 'quicklist';
  }

  get length(): number {
    return this.data.length;
  }

  /** Elements head to tail. */
  items(): Iterable<Bytes> {
    return this.data;
  }

  /** A deep copy (COPY). */
  clone(): ListValue {
    return new ListValue([...this.data]);
  }
}
