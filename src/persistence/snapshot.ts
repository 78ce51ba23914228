/**
 * Fork-less point-in-time snapshot of the keyspace: the copy-on-write scan that BGSAVE (RDB) and BGREWRITEAOF
 * (the AOF base, as RDB preamble or as commands) share. What a key becomes on disk is the serializer's business
 * (`SnapshotSerializer`: rdb/snapshot.ts, aof/rewrite.ts); which keys are written, and in which state, is this
 * module's. SPEC.md, "RDB" (BGSAVE) and "AOF" (rewrite).
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
 * Keys of several databases may interleave (a key of db 3 copied while db 0 is being scanned): serializers say
 * which db a key belongs to whenever it changes (RDB SELECTDB, AOF SELECT), which both loaders accept. Extra
 * memory is the `handled` set (one entry per distinct key written during the snapshot) plus the serializer's
 * output chunk: copied values go to the sink at once. `cowBytes` (bytes written ahead of the scan) is reported as
 * rdb_last_cow_size / aof_last_cow_size.
 *
 * Only one snapshot runs at a time (the keyspace has one observer), as Redis has one child. A snapshot that is
 * finished within the call that created it (`observe: false`) installs no observer and may run beside another.
 *
 * A failing sink (ENOSPC, EIO) never throws into the command that triggered a copy: the snapshot records the
 * failure, detaches, and `step()` reports it.
 */
import type { Db, Keyspace, RedisValue, WriteObserver } from '../keyspace/index.js';

export interface SnapshotStepLimits {
  /** Keys serialized per step at most (the only bound in simulation, whose steps are a few keys). */
  keysMax: number;
  /** Also end the step once this much monotonic time has passed (the server's bound; see `SnapshotStepTime`). */
  time?: SnapshotStepTime;
}

/**
 * A step's time bound. A step blocks every client, so its length, not its key count, is what clients wait for:
 * keys differ in size (a string of 10 bytes, a hash of a million fields), and so does the machine. The clock is
 * read once at the start and then every `keysPerClockRead` keys; it is not read at all when `keysMax` is at most
 * `keysPerClockRead` (a step of a few keys, as the crash simulator runs them, whose clock counts its reads).
 * A single large key still takes as long as it takes: the bound is checked between keys.
 */
export interface SnapshotStepTime {
  /** Monotonic microseconds (PersistenceClock.monotonicUs). */
  monotonicUs(): number;
  budgetUs: number;
  keysPerClockRead: number;
}

/**
 * Server defaults: 250 us of serialization per event-loop turn, the clock read every 32 keys (~25 us of small
 * strings). bench/snapshot.ts (BGSAVE / BGREWRITEAOF of 1,000,000 keys under a latency probe) chose them: a 1 ms
 * budget raised the probe's p50 from ~5 ms to ~9 ms against the former 1,000-key steps (~0.8 ms each, from a
 * 1M-key BGSAVE's duration), 250 us matched them there, and unlike a key count it stays short when the machine
 * or the keys are slow (BENCHMARKS.md, "What the run says").
 * A reply can wait for two steps: the next step is queued ahead of the end-of-turn reply flush.
 */
export const SNAPSHOT_STEP_BUDGET_US = 250;
export const SNAPSHOT_KEYS_PER_CLOCK_READ = 32;

/** The default step time bound on `clock`. */
export function snapshotStepTime(clock: { monotonicUs(): number }): SnapshotStepTime {
  return { monotonicUs: () => clock.monotonicUs(), budgetUs: SNAPSHOT_STEP_BUDGET_US, keysPerClockRead: SNAPSHOT_KEYS_PER_CLOCK_READ };
}

/** Turns the keys a snapshot hands over into bytes for its sink. Any method may throw a sink's error. */
export interface SnapshotSerializer {
  /** Bytes produced so far (buffered ones included). */
  readonly bytesWritten: number;
  /** Once, first (RDB header and aux fields; an AOF `#TS:` annotation). */
  begin(): void;
  /** The scan enters `db` (non-empty at T), with its key and volatile-key counts at T. */
  beginDb(db: Db, sizeAtStart: number, expiresAtStart: number): void;
  /** `key` as it was at T: in scan order, or ahead of the scan because a write is about to change it. */
  key(db: Db, key: string, value: RedisValue): void;
  /** Once, after the last key (RDB EOF and checksum); flushes what is buffered. */
  end(): void;
}

export interface PointInTimeSnapshotOptions {
  /**
   * Install as the keyspace's WriteObserver (default true). False only when the caller finishes the snapshot
   * before it returns to the event loop, so nothing can change underneath.
   */
  observe?: boolean;
}

export class PointInTimeSnapshot implements WriteObserver {
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
    private readonly serializer: SnapshotSerializer,
    options: PointInTimeSnapshotOptions = {},
  ) {
    const observe = options.observe ?? true;
    if (observe && keyspace.writeObserver !== null) throw new Error('assertion failed: a snapshot is already running');
    this.dbSizeAtStart = keyspace.dbs.map((db) => db.size);
    this.dbExpiresAtStart = keyspace.dbs.map((db) => db.expires.size);
    this.handled = keyspace.dbs.map(() => new Set<string>());
    this.guard(() => serializer.begin());
    if (observe && this.failure === null) keyspace.writeObserver = this;
  }

  get done(): boolean {
    return this.finished || this.failure !== null;
  }

  get bytesWritten(): number {
    return this.serializer.bytesWritten;
  }

  /** Keys in the keyspace at T (current_save_keys_total). */
  get keysAtStart(): number {
    let n = 0;
    for (const size of this.dbSizeAtStart) n += size;
    return n;
  }

  /**
   * Serializes up to `limits.keysMax` keys, fewer when `limits.time` runs out first. Returns true when the
   * snapshot is complete (serializer ended) or failed (`failure` set); the observer is then detached.
   */
  step(limits: SnapshotStepLimits): boolean {
    if (this.done) return true;
    this.guard(() => this.scan(limits));
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
    const before = this.serializer.bytesWritten;
    this.guard(() => this.serializer.key(db, key, entry.value));
    this.keysSaved++;
    this.cowKeys++;
    this.cowBytes += this.serializer.bytesWritten - before;
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

  private scan(limits: SnapshotStepLimits): void {
    let budget = limits.keysMax;
    const time = limits.time !== undefined && limits.keysMax > limits.time.keysPerClockRead ? limits.time : null;
    const deadlineUs = time === null ? 0 : time.monotonicUs() + time.budgetUs;
    const keysPerScan = time === null ? budget : time.keysPerClockRead;
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
        this.serializer.beginDb(db, this.dbSizeAtStart[db.id] ?? 0, this.dbExpiresAtStart[db.id] ?? 0);
      }
      const handled = this.handled[db.id]!;
      const next = db.dict.scan(this.cursor, Math.min(budget, keysPerScan), (entry) => {
        budget--;
        if (handled.has(entry.key)) return;
        this.serializer.key(db, entry.key, entry.value);
        this.keysSaved++;
      });
      if (next === 0) this.nextDb();
      else this.cursor = next;
      if (time !== null && time.monotonicUs() >= deadlineUs) break;
    }
    if (this.dbIndex >= dbs.length) {
      this.serializer.end();
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
