/**
 * The keyspace: the databases, the clock they read, and the listener that hears about every change.
 *
 * It owns no protocol and no I/O. The server sets `nowMs` before each command (Redis caches the time per
 * command too, so a MULTI/EXEC or a long command sees one instant), and passes a listener that turns key
 * events into WATCH invalidation, blocked-client wake-ups, keyspace notifications and propagation.
 */
import { Db } from './db.js';
import type { KeyspaceConfig } from './config.js';

export interface KeyspaceListener {
  /** A key's value or existence changed (WATCH: signalModifiedKey). */
  keyModified(db: Db, key: string): void;
  /** A key was created or grew: clients blocked on it may proceed (signalKeyAsReady). */
  keyReady(db: Db, key: string): void;
  /** A key was deleted because its TTL passed; to be propagated as DEL and notified as `expired`. */
  keyExpired(db: Db, key: string): void;
}

/**
 * Told before the keyspace changes, for a fork-less snapshot that must save each key as it was when the snapshot
 * began (src/persistence/snapshot.ts: BGSAVE and the AOF rewrite; contract in db.ts's module comment).
 */
export interface WriteObserver {
  /** `key` of `db` is about to be created, changed in place, replaced, deleted, or get/lose a TTL. */
  beforeWrite(db: Db, key: string): void;
  /** Many keys are about to change at once (FLUSHDB, FLUSHALL, SWAPDB, a dataset reload). */
  beforeBulkChange(): void;
}

export interface KeyspaceStats {
  keyspaceHits: number;
  keyspaceMisses: number;
  expiredKeys: number;
  expiredStalePerc: number;
  expiredTimeCapReachedCount: number;
  evictedKeys: number;
}

const NOOP_LISTENER: KeyspaceListener = {
  keyModified() {},
  keyReady() {},
  keyExpired() {},
};

export class Keyspace {
  readonly dbs: Db[];
  readonly config: KeyspaceConfig;
  /** The instant commands run at (unix ms), set by the caller before each command or cycle. */
  nowMs = 0;
  /** False on a replica: expired keys are hidden, not deleted. */
  expiryEnabled = true;
  /**
   * True while an AOF is replayed: no TTL has passed (redis keyIsExpired returns 0 while loading), so a logged
   * INCRBY or APPEND on a key whose TTL ran out while the server was down finds the key as it was logged.
   */
  loading = false;
  /** False after DEBUG SET-ACTIVE-EXPIRE 0: the active cycle does nothing, lookups still expire keys. */
  activeExpireEnabled = true;
  listener: KeyspaceListener = NOOP_LISTENER;
  /** Set while a fork-less snapshot runs (see WriteObserver); null otherwise. */
  writeObserver: WriteObserver | null = null;
  readonly stats: KeyspaceStats = {
    keyspaceHits: 0,
    keyspaceMisses: 0,
    expiredKeys: 0,
    expiredStalePerc: 0,
    expiredTimeCapReachedCount: 0,
    evictedKeys: 0,
  };

  constructor(config: KeyspaceConfig) {
    this.config = config;
    this.dbs = [];
    for (let i = 0; i < config.databases; i++) this.dbs.push(new Db(i, this));
  }

  db(index: number): Db {
    const db = this.dbs[index];
    if (db === undefined) throw new Error(`assertion failed: db index ${index} out of range`);
    return db;
  }

  /** Redis's LRU clock: seconds resolution, 24 bits (LRU_CLOCK_RESOLUTION 1000 ms). */
  lruClock(): number {
    return Math.floor(this.nowMs / 1000) & 0xffffff;
  }

  keyModified(db: Db, key: string): void {
    this.listener.keyModified(db, key);
  }

  keyReady(db: Db, key: string): void {
    this.listener.keyReady(db, key);
  }

  keyExpired(db: Db, key: string): void {
    this.listener.keyExpired(db, key);
  }

  /** Total number of keys in all databases. */
  get size(): number {
    let n = 0;
    for (const db of this.dbs) n += db.size;
    return n;
  }

  /** Deletes every key of every database. */
  clear(): void {
    this.writeObserver?.beforeBulkChange();
    for (const db of this.dbs) db.clear();
  }

  /**
   * Swaps the contents of two databases (SWAPDB). The Db objects stay where they are, so clients that selected
   * an index keep it and see the other data, as in Redis.
   */
  swap(a: number, b: number): void {
    this.writeObserver?.beforeBulkChange();
    const dbA = this.db(a);
    const dbB = this.db(b);
    [dbA.dict, dbB.dict] = [dbB.dict, dbA.dict];
    [dbA.expires, dbB.expires] = [dbB.expires, dbA.expires];
    [dbA.avgTtlMs, dbB.avgTtlMs] = [dbB.avgTtlMs, dbA.avgTtlMs];
    dbA.expireCursor = null;
    dbB.expireCursor = null;
  }

  /**
   * One step of the active expiry cycle (redis `activeExpireCycle`): walks each db's volatile keys from where the
   * last step stopped, deleting expired ones, until `budgetMs` of monotonic time (measured by `elapsedMs`) is
   * spent or every db was visited. Like Redis, a db whose sample is mostly expired is walked again at once.
   * Returns the number of keys deleted.
   */
  activeExpireCycle(budgetMs: number, elapsedMs: () => number): number {
    if (!this.expiryEnabled || !this.activeExpireEnabled || this.loading) return 0;
    const keysPerLoop = 20 + 5 * (this.config.activeExpireEffort - 1);
    const acceptableStalePerc = 10 - this.config.activeExpireEffort + 1;
    let deleted = 0;
    let sampledTotal = 0;
    let expiredTotal = 0;
    for (const db of this.dbs) {
      for (;;) {
        if (db.expires.size === 0) break;
        let sampled = 0;
        let expired = 0;
        let ttlSum = 0;
        let ttlSamples = 0;
        db.expireCursor ??= db.expires.entries();
        while (sampled < keysPerLoop) {
          const next = db.expireCursor.next();
          if (next.done === true) {
            db.expireCursor = null;
            break;
          }
          const [key, atMs] = next.value;
          sampled++;
          if (atMs <= this.nowMs) {
            db.deleteExpired(key);
            expired++;
          } else {
            ttlSum += Number(atMs) - this.nowMs;
            ttlSamples++;
          }
        }
        if (ttlSamples > 0) {
          const avg = ttlSum / ttlSamples;
          db.avgTtlMs = db.avgTtlMs === 0 ? avg : (db.avgTtlMs / 50) * 49 + avg / 50;
        }
        deleted += expired;
        sampledTotal += sampled;
        expiredTotal += expired;
        if (elapsedMs() > budgetMs) {
          this.stats.expiredTimeCapReachedCount++;
          this.recordStale(sampledTotal, expiredTotal);
          return deleted;
        }
        if (sampled === 0 || db.expireCursor === null || (expired * 100) / sampled <= acceptableStalePerc) break;
      }
    }
    this.recordStale(sampledTotal, expiredTotal);
    return deleted;
  }

  private recordStale(sampled: number, expired: number): void {
    const current = sampled > 0 ? expired / sampled : 0;
    this.stats.expiredStalePerc = current * 0.05 + this.stats.expiredStalePerc * 0.95;
  }
}
