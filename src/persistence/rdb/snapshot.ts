/**
 * Fork-less BGSAVE: a point-in-time snapshot of the keyspace, serialized a slice at a time between event-loop
 * turns while commands keep running.
 *
 * Redis forks and lets the kernel's copy-on-write pages freeze the dataset. Node cannot fork, so the snapshot
 * copies on write itself, per key (the idea of dragonfly's `SliceSnapshot`):
 *
 *   - At the start (instant T) the snapshot installs itself as the keyspace's WriteObserver and scans each
 *     database's Dict by slot cursor (`Dict.scan`: an entry keeps its slot while it lives).
 *   - Every change to a key first calls `beforeWrite(db, key)` (db.ts). If the scan has not reached that key
 *     yet (a later db, or a slot at or after the cursor) and the key has not been handled yet, the key's value
 *     and TTL as of T are serialized right then, and the key is remembered in `handled`. A key absent at that
 *     moment is remembered too: it did not exist at T (every change since T went through this hook first), so
 *     the scan must not save the value it will find later.
 *   - The scan skips keys in `handled`. So each key that existed at T is written exactly once, with its T
 *     state, and no key created after T is written.
 *   - Bulk changes (FLUSHALL, FLUSHDB, SWAPDB, reload) call `beforeBulkChange`: the rest of the snapshot is
 *     serialized at once (materialized), which costs one pause but no extra memory.
 *
 * Records of several databases may interleave (a key of db 3 copied while db 0 is being scanned): the writer
 * emits SELECTDB whenever the db changes, which Redis's loader accepts. Extra memory is the `handled` set (one
 * entry per distinct key written during the snapshot) plus one 64 KiB output chunk: the copied values go to
 * the sink at once. `cowBytes` (bytes written ahead of the scan) is reported as rdb_last_cow_size.
 *
 * A failing sink (ENOSPC, EIO) never throws into the command that triggered a copy: the snapshot records the
 * failure, detaches, and `step()` reports it.
 */
import type { RdbSink, RdbWriter } from '../../../formats/index.js';
import type { Db, Keyspace, WriteObserver } from '../../keyspace/index.js';
import { auxRecords, keyRecord, newRdbWriter, type RdbSaveOptions } from './save.js';

export interface SnapshotStepLimits {
  /** Keys serialized per step at most. */
  keysMax: number;
}

export class ForklessSnapshot implements WriteObserver {
  private readonly writer: RdbWriter;
  private readonly dbSizeAtStart: number[];
  private readonly dbExpiresAtStart: number[];
  /** Index of the db being scanned; dbs.length once the scan is over. */
  private dbIndex = 0;
  private dbStarted = false;
  private cursor = 0;
  private readonly handled: Set<string>[];
  private finished = false;
  failure: unknown = null;
  keysSaved = 0;
  /** Keys and bytes serialized ahead of the scan because a write was about to change them. */
  cowKeys = 0;
  cowBytes = 0;

  constructor(
    private readonly keyspace: Keyspace,
    sink: RdbSink,
    options: RdbSaveOptions,
  ) {
    if (keyspace.writeObserver !== null) throw new Error('assertion failed: a snapshot is already running');
    this.writer = newRdbWriter(sink, options);
    this.dbSizeAtStart = keyspace.dbs.map((db) => db.size);
    this.dbExpiresAtStart = keyspace.dbs.map((db) => db.expires.size);
    this.handled = keyspace.dbs.map(() => new Set<string>());
    this.guard(() => {
      for (const r of auxRecords(options)) this.writer.write(r);
    });
    if (this.failure === null) keyspace.writeObserver = this;
  }

  get done(): boolean {
    return this.finished || this.failure !== null;
  }

  get bytesWritten(): number {
    return this.writer.bytesWritten;
  }

  /**
   * Serializes up to `limits.keysMax` keys. Returns true when the snapshot is complete (EOF and checksum
   * written) or failed (`failure` set); the observer is then detached.
   */
  step(limits: SnapshotStepLimits): boolean {
    if (this.done) return true;
    this.guard(() => this.scan(limits.keysMax));
    return this.done;
  }

  /** Serializes everything left, now. */
  finishNow(): void {
    while (!this.done) this.step({ keysMax: Number.MAX_SAFE_INTEGER });
  }

  /** Stops without finishing (the caller discards the output). */
  abort(): void {
    this.detach();
    this.finished = true;
  }

  beforeWrite(db: Db, key: string): void {
    if (this.done || this.reached(db, key)) return;
    const handled = this.handled[db.id];
    if (handled === undefined || handled.has(key)) return;
    handled.add(key);
    const entry = db.dict.get(key);
    if (entry === undefined) return;
    const before = this.writer.bytesWritten;
    this.guard(() => {
      this.writer.write(keyRecord(db, key, entry.value));
    });
    this.keysSaved++;
    this.cowKeys++;
    this.cowBytes += this.writer.bytesWritten - before;
  }

  beforeBulkChange(): void {
    this.finishNow();
  }

  /** True when the scan already passed `key`'s position (or its db was empty at the start). */
  private reached(db: Db, key: string): boolean {
    if (db.id < this.dbIndex) return true;
    if ((this.dbSizeAtStart[db.id] ?? 0) === 0) return true;
    if (db.id > this.dbIndex || !this.dbStarted) return false;
    const entry = db.dict.get(key);
    // Absent now: whether it existed at T is answered by `handled` in beforeWrite, so treat as not reached.
    return entry !== undefined && entry.slot < this.cursor;
  }

  private scan(keysMax: number): void {
    let budget = keysMax;
    const dbs = this.keyspace.dbs;
    while (budget > 0 && this.dbIndex < dbs.length) {
      const db = dbs[this.dbIndex]!;
      if ((this.dbSizeAtStart[db.id] ?? 0) === 0) {
        this.nextDb();
        continue;
      }
      if (!this.dbStarted) {
        this.dbStarted = true;
        this.cursor = 0;
        this.writer.write({ kind: 'selectdb', db: db.id });
        this.writer.write({ kind: 'resizedb', dbSize: this.dbSizeAtStart[db.id] ?? 0, expiresSize: this.dbExpiresAtStart[db.id] ?? 0 });
      }
      const handled = this.handled[db.id]!;
      const next = db.dict.scan(this.cursor, budget, (entry) => {
        budget--;
        if (handled.has(entry.key)) return;
        this.writer.write(keyRecord(db, entry.key, entry.value));
        this.keysSaved++;
      });
      if (next === 0) this.nextDb();
      else this.cursor = next;
    }
    if (this.dbIndex >= dbs.length) {
      this.writer.end();
      this.finished = true;
      this.detach();
    }
  }

  private nextDb(): void {
    this.handled[this.dbIndex]?.clear();
    this.dbIndex++;
    this.dbStarted = false;
    this.cursor = 0;
  }

  private detach(): void {
    if (this.keyspace.writeObserver === this) this.keyspace.writeObserver = null;
    for (const set of this.handled) set.clear();
  }

  private guard(work: () => void): void {
    try {
      work();
    } catch (err) {
      this.failure = err;
      this.detach();
    }
  }
}
