/**
 * One logical database: the key dict, the expires table, and the lookups every command goes through.
 *
 * Expiry follows Redis: a key with a past expire time is deleted when it is looked up (lazy expiry, which also
 * reports the deletion so it is propagated), and the active cycle in `keyspace.ts` deletes the rest in
 * time-bounded steps. A replica never deletes expired keys itself: it hides them, and waits for its primary's DEL.
 *
 * Snapshot hook: every entry point that may lead to a change of a key (lookup, and so getRead/getWrite, through
 * which in-place mutations of collections obtain their value; set, add, delete, setExpire, removeExpire) first
 * calls `keyspace.writeObserver.beforeWrite`, and `clear` calls `beforeBulkChange`, so a fork-less BGSAVE or
 * BGREWRITEAOF (src/persistence/snapshot.ts) can serialize a key's old value before it changes. Reads are included on
 * purpose: a command that looked a value up may edit it in place, and saving an unchanged key early is harmless.
 * Code that edits `dict` entries directly must call lookup/getWrite for the key first. Without a running
 * snapshot the observer is null and costs one check.
 */
import { toInt64, type Int64 } from '../../formats/index.js';
import { Dict, type DictEntry } from './dict.js';
import { typeName, type RedisValue } from './types.js';
import type { Keyspace } from './keyspace.js';

export class Db {
  readonly id: number;
  dict = new Dict<RedisValue>();
  /**
   * Absolute unix ms of each volatile key, any int64 as Redis allows (PEXPIREAT k 9223372036854775807), in the
   * `Int64` form: a number for every realistic time, a bigint only beyond ±2^53. Both compare with a number
   * (`atMs <= nowMs`) directly; arithmetic must treat the bigint case.
   */
  expires = new Map<string, Int64>();
  /** Cursor of the active expiry cycle over `expires`; restarted when exhausted. */
  expireCursor: IterableIterator<[string, Int64]> | null = null;
  /** Running average TTL of sampled keys, for INFO keyspace avg_ttl. */
  avgTtlMs = 0;
  private readonly keyspace: Keyspace;

  constructor(id: number, keyspace: Keyspace) {
    this.id = id;
    this.keyspace = keyspace;
  }

  get size(): number {
    return this.dict.size;
  }

  /**
   * The live entry of `key`, or undefined when absent or expired. An expired key is deleted here (on a
   * primary) and the deletion is reported to the keyspace's listener.
   */
  lookup(key: string): DictEntry<RedisValue> | undefined {
    this.keyspace.writeObserver?.beforeWrite(this, key);
    const entry = this.dict.get(key);
    if (entry === undefined) return undefined;
    if (this.expires.size > 0 && this.expireIfNeeded(key)) return undefined;
    entry.meta = this.keyspace.lruClock();
    return entry;
  }

  /** Value of `key` for a read command; counts keyspace hits and misses. */
  getRead(key: string): RedisValue | undefined {
    const entry = this.lookup(key);
    if (entry === undefined) {
      this.keyspace.stats.keyspaceMisses++;
      return undefined;
    }
    this.keyspace.stats.keyspaceHits++;
    return entry.value;
  }

  /** Value of `key` for a write command (no hit/miss accounting). */
  getWrite(key: string): RedisValue | undefined {
    return this.lookup(key)?.value;
  }

  /** Looks at a key without expiring it or touching its LRU clock (OBJECT, DEBUG, persistence). */
  peek(key: string): RedisValue | undefined {
    return this.dict.get(key)?.value;
  }

  /**
   * Stores `value` at `key`. Unless `keepTtl`, any expire is removed (SET semantics). Signals the key as
   * modified (WATCH), and ready (blocked clients) when it was absent (redis dbAdd) or held a stream (redis
   * dbOverwrite, which wakes only XREADGROUP on a stream it replaces): a value replacing another one does not
   * serve a client blocked on the key in Redis 7.0 (ZUNIONSTORE over a list leaves BZPOPMAX blocked). As
   * redis setKey, the key is looked up for writing first, so an expired one is deleted and counts as absent.
   */
  set(key: string, value: RedisValue, keepTtl = false): void {
    const old = this.lookup(key)?.value;
    const entry = this.dict.set(key, value);
    entry.meta = this.keyspace.lruClock();
    if (!keepTtl && this.expires.size > 0) this.expires.delete(key);
    this.keyspace.keyModified(this, key);
    if (old === undefined || typeName(old) === 'stream') this.keyspace.keyReady(this, key);
  }

  /**
   * Adds a key that the caller checked is absent, and signals it ready for blocked clients (dbAdd). It also
   * touches WATCH, unless `touchWatch` is false: Redis's dbAdd leaves that to its callers, and one of them,
   * BITFIELD creating a key but changing no bit (every write refused by OVERFLOW FAIL), never does.
   */
  add(key: string, value: RedisValue, touchWatch = true): void {
    this.keyspace.writeObserver?.beforeWrite(this, key);
    const entry = this.dict.set(key, value);
    entry.meta = this.keyspace.lruClock();
    if (touchWatch) this.keyspace.keyModified(this, key);
    this.keyspace.keyReady(this, key);
  }

  /**
   * Removes a key; true when it existed. Signals it modified (WATCH), and a deleted stream also ready: a client
   * blocked in XREADGROUP on it is then answered with an error (Redis 7.0 dbGenericDelete), since its group is
   * gone with the key.
   */
  delete(key: string): boolean {
    if (this.keyspace.writeObserver !== null && this.dict.has(key)) this.keyspace.writeObserver.beforeWrite(this, key);
    const entry = this.dict.delete(key);
    if (entry === undefined) return false;
    if (this.expires.size > 0) this.expires.delete(key);
    this.keyspace.keyModified(this, key);
    if (typeName(entry.value) === 'stream') this.keyspace.keyReady(this, key);
    return true;
  }

  /** The key's absolute expire time in unix ms, -1 when it has none. */
  getExpire(key: string): Int64 {
    return this.expires.get(key) ?? -1;
  }

  /** Sets the key's absolute expire time (any int64; a bigint within ±2^53 is stored as a number). */
  setExpire(key: string, atMs: number | bigint): void {
    this.keyspace.writeObserver?.beforeWrite(this, key);
    this.expires.set(key, toInt64(atMs));
  }

  /** Removes a TTL; true when there was one. */
  removeExpire(key: string): boolean {
    this.keyspace.writeObserver?.beforeWrite(this, key);
    return this.expires.delete(key);
  }

  /**
   * Deletes `key` if its TTL has passed. Returns true when the key is to be treated as absent: deleted here
   * on a primary, or merely hidden on a replica (which waits for the primary's DEL) and while loading.
   */
  expireIfNeeded(key: string): boolean {
    const atMs = this.expires.get(key);
    if (atMs === undefined || atMs > this.keyspace.nowMs || this.keyspace.loading) return false;
    if (!this.keyspace.expiryEnabled) return true;
    this.deleteExpired(key);
    return true;
  }

  /** Deletes an expired key and reports it (keyspace notification, propagation as DEL/UNLINK). */
  deleteExpired(key: string): void {
    this.delete(key);
    this.keyspace.stats.expiredKeys++;
    this.keyspace.keyExpired(this, key);
  }

  /** Removes every key. */
  clear(): void {
    this.keyspace.writeObserver?.beforeBulkChange();
    this.dict.clear();
    this.expires.clear();
    this.expireCursor = null;
    this.avgTtlMs = 0;
  }
}
