/**
 * The crash simulator: from one seed, a workload of client commands runs on the real engine and the real AOF or
 * RDB persistence over the simulated disk and a virtual clock; power is cut at a chosen I/O operation; the engine
 * restarts on what the disk kept; the recovered dataset is checked against the acknowledged history. See SPEC.md,
 * "Crash simulation".
 *
 * The oracle. A reference engine without persistence runs the same commands in the same order with the same
 * seeded randomness (and the same MISCONF refusals) and records the dataset digest (DEBUG DIGEST) after each
 * command: `prefix[i]` is the state after the first i commands. Digests count only keys still alive at the
 * recovery instant (a key whose TTL passed in between is gone on both sides, whichever way it went: deleted by
 * the RDB loader, or loaded from the AOF and expired). A recovery is correct when its digest equals some allowed
 * `prefix[p]` — no reordering, no half of a MULTI/EXEC (queued commands change nothing until EXEC), no
 * resurrected key — with p at least the number of commands the mode promised to keep:
 *   always:   every command whose reply was released (replies leave only after the turn's write + fsync);
 *   everysec: every command acknowledged 2 s of virtual time or more before the crash, while the disk worked;
 *   no:       nothing;
 *   rdb:      (`appendonly no`, BGSAVE and the `save` schedule) p is the snapshot instant of a save that
 *             completed or was still running at the crash (or 0), and no older than the last completed save;
 *   after a clean SHUTDOWN, in every mode: everything.
 * Start-up after a power loss must succeed (`aof-load-truncated yes` trims a torn tail); a failure is a
 * violation unless corruption was injected into synced bytes on purpose — and then start-up must fail with a
 * named cause (the RDB CRC64), never load the corrupted bytes.
 *
 * Disk faults (a window of ENOSPC writes or EIO fsyncs on the AOF or the RDB temp file): right after a failed
 * operation the server must refuse writes with MISCONF (`always` stops instead, as Redis does), and a clean
 * SHUTDOWN once the disk works again must keep every acknowledged write.
 *
 * Everything — the workload, the turn boundaries, the clock, the fault, the crash point, what the disk keeps —
 * comes from the seed, so `--seed S` replays a run exactly.
 */
import type { Bytes } from '../../formats/index.js';
import { Engine, allCommands, NULL_HOST, type AdminHost, type EngineHost, type PropagatedCommand, type Session } from '../commands/index.js';
import { datasetDigest, defaultKeyspaceConfig, digestHex, digestValueOf, type Db, type DigestKey, type Keyspace } from '../keyspace/index.js';
import {
  AppendOnlyFile,
  AofLoadError,
  loadAppendOnlyFiles,
  loadManifestFromDisk,
  keyspaceBaseSnapshots,
  type FsyncPolicy,
} from '../persistence/aof/index.js';
import { loadRdbFile, RdbLoadError, RdbPersistence, type PersistenceClock } from '../persistence/index.js';
import { SimFileSystem, SimulatedCrash, type FaultWindow } from './sim-fs.js';

/** A seeded PRNG (mulberry32): fast, 32-bit state, good enough for workloads and fault choices. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What persists the dataset: the AOF under one fsync policy, or RDB snapshots alone (`appendonly no`). */
export type CrashMode = FsyncPolicy | 'rdb';

export const CRASH_MODES: readonly CrashMode[] = ['always', 'everysec', 'no', 'rdb'];

/**
 * Deliberately broken setups that prove the checker can fail:
 *   lying-fsync:        fsync (of files and directories) reports success and makes nothing durable;
 *   ignore-disk-errors: the server keeps accepting writes after a failed write or fsync (no MISCONF);
 *   no-rdb-checksum:    RDB files are written without their CRC64 (`rdbchecksum no`), so a flipped bit may load;
 *   expire-while-loading: the AOF replays with lazy expiry on (the bug the server had: a key whose TTL passed
 *                       while it was down is dropped mid-replay, and a later logged INCRBY recreates it).
 */
export type BrokenMode = 'lying-fsync' | 'ignore-disk-errors' | 'no-rdb-checksum' | 'expire-while-loading';

export interface CrashRunOptions {
  seed: number;
  mode: CrashMode;
  /** Commands in the workload. */
  commands?: number;
  /** Inject a window of disk faults (chosen from the seed). */
  fault?: boolean;
  /** I/O operation to crash at; default: chosen from the seed among all operations of the run. */
  crashAtOp?: number;
  broken?: BrokenMode | null;
  /** Flip a bit of the synced RDB (dump.rdb, or the AOF's RDB base) after the crash. */
  corrupt?: boolean;
}

export interface CrashRunResult {
  seed: number;
  mode: CrashMode;
  /** The injected fault window, if any. */
  fault: FaultWindow | null;
  crashAtOp: number;
  /** I/O operations of the whole run without a crash (the space crash points are drawn from). */
  opsTotal: number;
  executed: number;
  /** Commands whose reply was released before the crash. */
  acknowledged: number;
  /** Commands the mode promised to keep. */
  required: number;
  /** Prefix lengths whose state equals the recovered one (among the allowed ones). */
  matchingPrefixes: number[];
  recoveredDigest: string;
  /** A flipped synced bit (path and byte offset), when corruption was injected and something could be flipped. */
  corrupted: { path: string; offset: number } | null;
  /** The named cause start-up failed with, when it did (only acceptable after injected corruption). */
  startupError: string | null;
  violation: string | null;
}

const DATA_DIR = '/data';
const AOF_DIR = '/data/appendonlydir';
const AOF_NAME = 'appendonly.aof';
const RDB_NAME = 'dump.rdb';
const VIRTUAL_START_MS = 1_700_000_000_000;
/** The `save` schedule of RDB mode: a BGSAVE after 1 s with at least 4 changes (CI-sized, as `save 3600 1`). */
const RDB_SAVE_POINTS = '1 4';
/** Keys per BGSAVE step: small, so a snapshot spans several turns and writes go through copy-on-write. */
const RDB_KEYS_PER_STEP = 2;
/** Marks the RDB refusal (ERR.misconf) in the recorded refusals. */
const RDB_REFUSAL = 'MISCONF (stop-writes-on-bgsave-error)';
const QUIET = { verbose() {}, notice() {}, warning() {} };

/** Virtual time: starts at a fixed instant and moves only when the simulator says. */
class VirtualClock implements PersistenceClock {
  ms = VIRTUAL_START_MS;
  private us = 0;
  nowMs(): number {
    return this.ms;
  }
  monotonicUs(): number {
    return this.ms * 1000 + this.us++;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Workload

const KEYS = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6'];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/**
 * One random write (or read) command over every data type, on a small key set so types collide. Short TTLs
 * (50 ms - 2 s) expire as the virtual clock advances; GET and the other lookups then expire them lazily.
 * `background` is BGREWRITEAOF under the AOF (BGSAVE then competes with it for the snapshot), BGSAVE under RDB.
 */
function randomCommand(random: () => number, background: string): Bytes[] {
  const k = pick(random, KEYS);
  const v = String(Math.floor(random() * 1000));
  const r = random();
  if (r < 0.08) return ['SET', k, 'v' + v];
  if (r < 0.11) return ['SET', k, 'v' + v, 'PX', String(50 + Math.floor(random() * 1500))];
  if (r < 0.16) return ['INCRBY', k, v];
  if (r < 0.2) return ['APPEND', k, v];
  if (r < 0.25) return ['DEL', k];
  if (r < 0.32) return ['RPUSH', k, v, 'x' + v];
  if (r < 0.36) return ['LPOP', k];
  if (r < 0.43) return ['HSET', k, 'f' + (Number(v) % 5), v];
  if (r < 0.46) return ['HDEL', k, 'f' + (Number(v) % 5)];
  if (r < 0.53) return ['SADD', k, v, String(Number(v) + 1)];
  if (r < 0.56) return ['SREM', k, v];
  if (r < 0.63) return ['ZADD', k, v, 'm' + (Number(v) % 7)];
  if (r < 0.66) return ['ZINCRBY', k, '1.5', 'm' + (Number(v) % 7)];
  if (r < 0.7) return ['XADD', k, '*', 'f', v];
  if (r < 0.72) return ['EXPIRE', k, '100000'];
  if (r < 0.75) return ['PEXPIRE', k, String(50 + Math.floor(random() * 2000))];
  if (r < 0.77) return ['PERSIST', k];
  if (r < 0.8) return ['SPOP', k];
  if (r < 0.83) return ['GET', k];
  if (r < 0.86) return ['SELECT', String(Math.floor(random() * 3))];
  if (r < 0.88) return ['RENAME', k, pick(random, KEYS)];
  if (r < 0.895) return ['FLUSHALL'];
  if (r < 0.91) return [background];
  if (r < 0.92) return random() < 0.5 ? ['BGSAVE'] : ['BGSAVE', 'SCHEDULE'];
  return ['INCR', 'counter'];
}

/** The workload: turns of commands, some inside MULTI/EXEC. */
function buildWorkload(random: () => number, count: number, mode: CrashMode): Bytes[][][] {
  const background = mode === 'rdb' ? 'BGSAVE' : 'BGREWRITEAOF';
  const turns: Bytes[][][] = [];
  let total = 0;
  while (total < count) {
    const turn: Bytes[][] = [];
    const size = 1 + Math.floor(random() * 4);
    for (let i = 0; i < size; i++) {
      if (random() < 0.12) {
        turn.push(['MULTI']);
        const n = 1 + Math.floor(random() * 3);
        for (let j = 0; j < n; j++) turn.push(randomCommand(random, background));
        turn.push(['EXEC']);
      } else {
        turn.push(randomCommand(random, background));
      }
    }
    total += turn.length;
    turns.push(turn);
  }
  return turns;
}

/** Commands the simulator runs itself (the engine has no AdminHost here); they change no data. */
function isBackgroundCommand(args: readonly Bytes[]): boolean {
  return args[0] === 'BGREWRITEAOF' || args[0] === 'BGSAVE';
}

/** DEBUG DIGEST of the keys alive at `atMs` (a key whose TTL passed by then counts as gone). */
export function liveDigest(keyspace: Keyspace, atMs: number): string {
  return digestHex(datasetDigest(keyspace.dbs.map((db) => ({ id: db.id, keys: liveKeys(db, atMs) }))));
}

function* liveKeys(db: Db, atMs: number): Iterable<DigestKey> {
  for (const entry of db.dict.values()) {
    const expireAtMs = db.expires.get(entry.key);
    if (expireAtMs !== undefined && expireAtMs <= atMs) continue;
    yield { key: entry.key, value: digestValueOf(entry.value), hasExpire: expireAtMs !== undefined };
  }
}

// ---------------------------------------------------------------------------------------------------------
// One node: engine + AOF or RDB persistence on the simulated disk

class SimNode implements EngineHost {
  readonly engine: Engine;
  readonly aof: AppendOnlyFile;
  readonly rdb: RdbPersistence;
  /** Broken mode: refusals are never reported (writes keep being accepted after a disk error). */
  ignoreDiskErrors = false;
  /** Broken mode: the AOF replays with lazy expiry on. */
  expireWhileLoading = false;
  /** The run being driven (FLUSHALL's synchronous save is recorded in it). */
  driven: Drive | null = null;
  private readonly session: Session;
  /** Work the persistence code scheduled for a later event-loop turn (the server's setImmediate). */
  private scheduled: (() => void)[] = [];

  constructor(
    readonly fs: SimFileSystem,
    readonly clock: VirtualClock,
    random: () => number,
    readonly mode: CrashMode,
    private readonly rdbChecksum = true,
  ) {
    this.engine = new Engine({
      keyspace: defaultKeyspaceConfig(),
      clock,
      random,
      commands: allCommands,
      host: this,
    });
    const keyspace = this.engine.keyspace;
    this.aof = new AppendOnlyFile({
      fs,
      clock,
      logger: QUIET,
      dirName: AOF_DIR,
      fileName: AOF_NAME,
      settings: {
        fsync: mode === 'rdb' ? 'no' : mode,
        useRdbPreamble: true,
        timestampEnabled: false,
        autoRewritePercentage: 100,
        autoRewriteMinSizeBytes: 4096,
        disableAutoGc: false,
      },
      fatal: (message) => {
        throw new SimulatedStop(message);
      },
      openBase: keyspaceBaseSnapshots(keyspace, () => ({ nowMs: clock.nowMs(), compression: true, checksum: this.rdbChecksum })),
      schedule: (work) => void this.scheduled.push(work),
      otherChildActive: () => this.rdb.bgsaveInProgress,
    });
    // A few keys per turn, so a rewrite or BGSAVE spans several turns of writes (copy-on-write) on this small dataset.
    this.aof.rewriteKeysPerStep = 2;
    this.rdb = this.newRdbPersistence();
    this.rdb.keysPerStep = RDB_KEYS_PER_STEP;
    this.engine.admin = simAdmin(this);
    this.session = this.engine.createSession();
  }

  private newRdbPersistence(): RdbPersistence {
    const settings: Record<string, string> = {
      dbfilename: RDB_NAME,
      save: this.mode === 'rdb' ? RDB_SAVE_POINTS : '',
      rdbcompression: 'yes',
      rdbchecksum: this.rdbChecksum ? 'yes' : 'no',
      'stop-writes-on-bgsave-error': 'yes',
    };
    return new RdbPersistence({
      keyspace: this.engine.keyspace,
      fs: this.fs,
      clock: this.clock,
      dir: () => DATA_DIR,
      setting: (name) => settings[name] ?? '',
      getDirty: () => this.engine.dirty,
      setDirty: (n) => {
        this.engine.dirty = n;
      },
      log: QUIET,
      schedule: (work) => void this.scheduled.push(work),
      usedMemBytes: () => 0,
      pid: 1,
      setLoading: () => {},
      otherChild: () => this.aof.rewriteProgress,
    });
  }

  // EngineHost
  propagate(commands: readonly PropagatedCommand[]): void {
    this.aof.propagate(commands);
  }
  persistenceBroken(): boolean {
    return !this.ignoreDiskErrors && (this.aof.refusal() !== null || this.rdb.broken());
  }
  persistenceRefusal(): string | null {
    return this.ignoreDiskErrors ? null : this.aof.refusal();
  }
  isReplica(): boolean {
    return false;
  }
  isLoading(): boolean {
    return false;
  }

  /** The refusal writes get now: the AOF's MISCONF text, RDB_REFUSAL, or null. */
  refusalNow(): string | null {
    return this.persistenceRefusal() ?? (this.persistenceBroken() ? RDB_REFUSAL : null);
  }

  /**
   * Loads what the disk holds, at `recoveryMs`, and opens the log. AOF (`aof-load-truncated yes`): the replay runs
   * with `keyspace.loading` set, as the server's, so nothing expires while loading (Redis keyIsExpired). RDB:
   * dump.rdb loads dropping the keys whose TTL passed. Throws AofLoadError / RdbLoadError when the files cannot be
   * loaded.
   */
  startUp(recoveryMs: number): void {
    this.fs.mkdir(DATA_DIR);
    this.clock.ms = recoveryMs;
    if (this.mode === 'rdb') {
      this.rdb.loadAtStartup();
      return;
    }
    const keyspace = this.engine.keyspace;
    keyspace.loading = !this.expireWhileLoading;
    try {
      this.loadAof();
    } finally {
      keyspace.loading = false;
    }
  }

  private loadAof(): void {
    this.fs.mkdir(AOF_DIR);
    const options = { fs: this.fs, logger: QUIET, dirName: AOF_DIR, fileName: AOF_NAME, dataDir: DATA_DIR, loadTruncated: true };
    const manifest = loadManifestFromDisk(options);
    const engine = this.engine;
    const replaySession = engine.createSession();
    engine.host = NULL_HOST;
    try {
      const result = loadAppendOnlyFiles(
        manifest,
        {
          knows: (args) => engine.table.lookup(args[0] ?? '') !== undefined,
          execute: (args) => {
            engine.execute(replaySession, args);
            replaySession.reply.take();
          },
          loadRdb: (path) =>
            loadRdbFile(this.fs, path, engine.keyspace, { config: engine.keyspace.config, nowMs: this.clock.nowMs(), dropExpired: false }).endOffset,
          endFile: () => {
            replaySession.multi = null;
            replaySession.db = engine.keyspace.db(0);
          },
        },
        options,
      );
      engine.host = this;
      this.aof.start(result.manifest, { baseBytes: result.baseBytes, totalBytes: result.totalBytes });
    } finally {
      engine.host = this;
      engine.closeSession(replaySession);
    }
  }

  /** Runs one client command; returns its reply's first line (the bytes leave only after `endTurn`). */
  run(args: Bytes[]): string {
    if (args[0] === 'BGREWRITEAOF') return this.aof.bgrewriteaof();
    if (args[0] === 'BGSAVE') return this.rdb.bgsaveCommand(args[1] === 'SCHEDULE');
    this.engine.execute(this.session, args);
    const reply = this.session.reply.take().toString('latin1');
    const eol = reply.indexOf('\r\n');
    return eol < 0 ? reply : reply.slice(0, eol);
  }

  /** End of an event-loop turn: the AOF writes (and fsyncs per policy) before replies are released. */
  endTurn(): void {
    this.aof.beforeSleep();
    this.session.reply.take();
  }

  /** The next event-loop turn runs what was scheduled (one BGSAVE step). */
  runScheduled(): void {
    const work = this.scheduled;
    this.scheduled = [];
    for (const w of work) w();
  }

  /**
   * serverCron: the active expiry cycle (its DELs propagate like a command's, and go through a running snapshot's
   * copy-on-write), then persistence. Expiry deletes only keys already dead, so the reference engine, which
   * expires lazily only, reaches the same live keys.
   */
  cron(): void {
    const keyspace = this.engine.keyspace;
    keyspace.nowMs = this.clock.nowMs();
    keyspace.activeExpireCycle(25, () => 0);
    this.engine.afterCommand();
    this.aof.cron();
    this.rdb.cron();
  }

  /**
   * FLUSHALL's persistence side (redis flushAllDataAndResetRDB): a running BGSAVE is dropped, and with save points
   * the empty dataset is saved at once; that save is recorded like a BGSAVE whose snapshot is the empty dataset.
   */
  flushAll(empty: () => void): void {
    const run = this.driven;
    const saving = run !== null && this.rdb.savePoints().length > 0;
    const record: SaveRecord = { prefix: run?.executed.length ?? 0, savesAtStart: this.rdb.saves, outcome: 'running', emptyDataset: true };
    if (saving) run.saves.push(record);
    this.rdb.flushAll(empty);
    // A crash inside the save is caught there as an I/O error: the file may still have been renamed into place.
    if (saving && !this.fs.poweredOff) record.outcome = this.rdb.lastBgsaveOk ? 'ok' : 'failed';
  }

  /** SHUTDOWN: the AOF's final write + fsync, the final RDB save when save points exist. True when it completed. */
  shutdown(): boolean {
    this.aof.shutdown();
    return this.rdb.shutdown(null) === null;
  }

  digest(atMs: number): string {
    return liveDigest(this.engine.keyspace, atMs);
  }
}

/** The AOF's `fatal`: durability promised under `always` could not be kept, so the process stops (as Redis). */
export class SimulatedStop extends Error {
  readonly code = 'SIMULATED_STOP';
}

/** The admin side the workload reaches (FLUSHALL's save, BGSAVE, BGREWRITEAOF); the rest answers as unsupported. */
function simAdmin(node: SimNode): AdminHost {
  const unsupported = 'ERR not supported in the crash simulator';
  return {
    configGet: () => [],
    configSet: () => unsupported,
    configRewrite: () => unsupported,
    configResetStat: () => {},
    infoSection: () => undefined,
    infoSectionNames: () => [],
    sessions: () => [],
    shutdown: () => unsupported,
    save: () => unsupported,
    bgsave: (schedule) => node.rdb.bgsaveCommand(schedule),
    bgrewriteaof: () => node.aof.bgrewriteaof(),
    flushAll: (empty) => node.flushAll(empty),
    lastSaveSec: () => Math.floor(node.rdb.lastSaveMs / 1000),
    debugReload: () => unsupported,
    role: () => 'master',
  };
}

// ---------------------------------------------------------------------------------------------------------
// A run

export interface ExecutedCommand {
  /** Virtual ms at which the command ran (the reference replays it at the same instant). */
  atMs: number;
  /** Virtual ms at which the command's reply was released, or -1 if never. */
  ackedAtMs: number;
  /** The refusal writes got when it ran (the reference engine refuses the same commands), or null. */
  refusal: string | null;
  /** The first line of its reply. */
  reply: string;
}

/** A BGSAVE, FLUSHALL's save or the final save at SHUTDOWN: the prefix it snapshots, and how it ended. */
interface SaveRecord {
  prefix: number;
  savesAtStart: number;
  outcome: 'running' | 'ok' | 'failed';
  /** FLUSHALL's save: the empty dataset (inside MULTI/EXEC it is no prefix's state, but it is prefix 0's). */
  emptyDataset: boolean;
}

interface Drive {
  executed: ExecutedCommand[];
  crashed: boolean;
  saves: SaveRecord[];
  /** The BGSAVE running now, if any (also listed in `saves`). */
  bgsave: SaveRecord | null;
  /** Virtual ms of every operation an injected fault failed. */
  faultHitsMs: number[];
  /** True when SHUTDOWN completed without a fault: everything acknowledged must be on disk. */
  shutdown: boolean;
  /** A broken promise seen while running (a disk error that did not make the server refuse writes). */
  problem: string | null;
}

/** Thrown by `io` when the machine lost power during the step. */
class PowerOff extends Error {}

type StepKind = 'command' | 'turn' | 'background' | 'cron' | 'scheduled' | 'shutdown';

/**
 * Runs one step that may do I/O, then: stops the run if the power went off; checks that a failed write (or
 * background fsync) made the server refuse writes (`fault` is the run's fault window); records save outcomes.
 */
function io(node: SimNode, run: Drive, fault: FaultWindow | null, step: StepKind, work: () => void): void {
  const hitsBefore = node.fs.faultsHit;
  const ignoredBefore = node.fs.faultsHitIgnored;
  work();
  if (node.fs.poweredOff) throw new PowerOff();
  if (node.fs.faultsHit > hitsBefore) {
    run.faultHitsMs.push(node.clock.ms);
    // The AOF refuses writes after a failed write, and after a failed background fsync (everysec); a failed fsync
    // inside a rewrite only fails the rewrite, and one of a retired INCR is ignored, as in Redis. RDB: checked
    // when the save reports its failure.
    const counted = node.fs.faultsHit - hitsBefore > node.fs.faultsHitIgnored - ignoredBefore;
    const refuses =
      counted && fault !== null && node.mode !== 'rdb' && step !== 'shutdown' && (fault.kind !== 'eio-fsync' || step === 'background');
    if (refuses && node.refusalNow() === null) {
      run.problem ??= `after an injected ${fault.kind} at ${node.clock.ms - VIRTUAL_START_MS} ms the server still accepts writes (no MISCONF)`;
    }
  }
  observeSaves(node, run);
}

/**
 * Notes BGSAVEs starting and ending (and FLUSHALL's saves ending); a failed save must make the server refuse
 * writes (stop-writes-on-bgsave-error).
 */
function observeSaves(node: SimNode, run: Drive): void {
  const rdb = node.rdb;
  const current = run.bgsave;
  if (current !== null && (!rdb.bgsaveInProgress || rdb.saves !== current.savesAtStart)) {
    current.outcome = rdb.saves > current.savesAtStart ? 'ok' : 'failed';
    run.bgsave = null;
  }
  if (rdb.bgsaveInProgress && run.bgsave === null) {
    run.bgsave = { prefix: run.executed.length, savesAtStart: rdb.saves, outcome: 'running', emptyDataset: false };
    run.saves.push(run.bgsave);
  }
  if (!rdb.lastBgsaveOk && rdb.savePoints().length > 0 && node.refusalNow() === null) {
    run.problem ??= `a failed save at ${node.clock.ms - VIRTUAL_START_MS} ms left writes accepted (no MISCONF)`;
  }
}

/** Drives the workload until it ends (then SHUTDOWN) or the disk crashes; returns what ran, when acked, saves. */
function drive(node: SimNode, turns: Bytes[][][], random: () => number, fault: FaultWindow | null): Drive {
  const run: Drive = { executed: [], crashed: false, saves: [], bgsave: null, faultHitsMs: [], shutdown: false, problem: null };
  node.driven = run;
  const step = (kind: StepKind, work: () => void): void => io(node, run, fault, kind, work);
  try {
    node.startUp(VIRTUAL_START_MS);
    for (const turn of turns) {
      const start = run.executed.length;
      for (const args of turn) {
        const e: ExecutedCommand = { atMs: node.clock.ms, ackedAtMs: -1, refusal: node.refusalNow(), reply: '' };
        run.executed.push(e);
        step('command', () => {
          e.reply = node.run(args);
        });
      }
      step('turn', () => node.endTurn());
      for (let i = start; i < run.executed.length; i++) run.executed[i]!.ackedAtMs = node.clock.ms;
      step('scheduled', () => node.runScheduled());
      // Time passes; the cron runs every 100 ms of it. A background fsync (everysec) finishes within the turn or
      // within the next 100 ms tick: the disk is slow at times but not stalled (a stalled disk makes Redis's
      // everysec lose more than 2 s too).
      if (random() < 0.5) step('background', () => node.fs.runBackground());
      const advanceMs = Math.floor(random() * 400);
      for (let t = 0; t < advanceMs; t += 100) {
        node.clock.ms += Math.min(100, advanceMs - t);
        node.fs.nowMs = node.clock.ms;
        step('cron', () => node.cron());
        step('background', () => node.fs.runBackground());
        step('scheduled', () => node.runScheduled());
      }
    }
    shutDown(node, run, step);
    return run;
  } catch (err) {
    if (err instanceof PowerOff || err instanceof SimulatedCrash || err instanceof SimulatedStop) return { ...run, crashed: true };
    throw err;
  }
}

/** SHUTDOWN at the end of the workload: a running BGSAVE is killed, the final save recorded like a BGSAVE. */
function shutDown(node: SimNode, run: Drive, step: (kind: StepKind, work: () => void) => void): void {
  if (run.bgsave !== null) run.bgsave.outcome = 'failed';
  run.bgsave = null;
  const final: SaveRecord = { prefix: run.executed.length, savesAtStart: node.rdb.saves, outcome: 'running', emptyDataset: false };
  if (node.mode === 'rdb') run.saves.push(final);
  const hitsBefore = node.fs.faultsHit;
  let completed = false;
  step('shutdown', () => {
    completed = node.shutdown();
  });
  if (node.mode === 'rdb') final.outcome = node.rdb.saves > final.savesAtStart ? 'ok' : 'failed';
  run.shutdown = completed && node.fs.faultsHit === hitsBefore;
}

/** The reference engine's host: no persistence, but the refusals the run saw, command by command. */
class ReplayHost implements EngineHost {
  refusal: string | null = null;
  propagate(): void {}
  persistenceBroken(): boolean {
    return this.refusal !== null;
  }
  persistenceRefusal(): string | null {
    return this.refusal === RDB_REFUSAL ? null : this.refusal;
  }
  isReplica(): boolean {
    return false;
  }
  isLoading(): boolean {
    return false;
  }
}

/** Digest (keys alive at the recovery instant) of the reference state after each prefix of the full run. */
function referenceDigests(w: PreparedWorkload): string[] {
  const clock = new VirtualClock();
  const host = new ReplayHost();
  const engine = new Engine({ keyspace: defaultKeyspaceConfig(), clock, random: seededRandom(w.engineSeed ^ 0x9e3779b9), commands: allCommands, host });
  const session = engine.createSession();
  const digests = [liveDigest(engine.keyspace, w.recoveryMs)];
  const executed = w.executedFull;
  let n = 0;
  outer: for (const turn of w.turns) {
    for (const args of turn) {
      if (n >= executed.length) break outer;
      const e = executed[n++]!;
      clock.ms = e.atMs;
      host.refusal = e.refusal;
      if (!isBackgroundCommand(args)) engine.execute(session, args);
      session.reply.take();
      digests.push(liveDigest(engine.keyspace, w.recoveryMs));
    }
  }
  return digests;
}

/** A workload ready to be crashed at many points: its commands, seeds, fault, I/O count and reference digests. */
export interface PreparedWorkload {
  seed: number;
  mode: CrashMode;
  turns: Bytes[][][];
  engineSeed: number;
  driveSeed: number;
  fault: FaultWindow | null;
  /** I/O operations of the whole run without a crash (the space crash points are drawn from). */
  opsTotal: number;
  /** The instant the machine restarts at after any crash: after the whole run, so TTLs pass meanwhile. */
  recoveryMs: number;
  /** Digests after each prefix of the full run's commands, computed on first use. */
  digests: string[] | null;
  executedFull: ExecutedCommand[];
  /** What the run without a crash went through (tests use it to show a property was exercised). */
  stats: { savesCompleted: number; faultHits: number; commandsRefused: number; problem: string | null };
}

function newNode(w: Pick<PreparedWorkload, 'engineSeed' | 'mode'>, fs: SimFileSystem, clock: VirtualClock, broken: BrokenMode | null = null): SimNode {
  const node = new SimNode(fs, clock, seededRandom(w.engineSeed ^ 0x9e3779b9), w.mode, broken !== 'no-rdb-checksum');
  node.ignoreDiskErrors = broken === 'ignore-disk-errors';
  return node;
}

/**
 * A fault window on the files whose failures the server must turn into MISCONF: the AOF's INCR files, or the
 * RDB temp file. It starts at a write or fsync of the first 70% of the run (so SHUTDOWN normally finds the disk
 * working again) and lasts 1-8 operations: each retry is one, so the disk stays broken across a few retries.
 * `no` gets ENOSPC only: it fsyncs only inside rewrites and at shutdown.
 */
function chooseFault(trace: readonly string[], mode: CrashMode, random: () => number): FaultWindow | null {
  const kinds = mode === 'no' ? (['enospc-write'] as const) : (['enospc-write', 'eio-fsync'] as const);
  const kind = pick(random, kinds);
  const operation = kind === 'eio-fsync' ? 'fsync' : 'write';
  const pathIncludes = mode === 'rdb' ? '/temp-' : '.incr.aof';
  const limit = Math.floor(trace.length * 0.7);
  const candidates: number[] = [];
  for (const line of trace.slice(0, limit)) {
    const [index, op, path] = line.split(' ');
    if (op === operation && path !== undefined && path.includes(pathIncludes)) candidates.push(Number(index));
  }
  if (candidates.length === 0) return null;
  const fromOp = pick(random, candidates);
  return { kind, fromOp, untilOp: fromOp + 1 + Math.floor(random() * 8), pathIncludes };
}

export function prepareWorkload(seed: number, mode: CrashMode, commands = 80, fault = false): PreparedWorkload {
  const random = seededRandom(seed);
  // Seeds first, workload last: a shorter workload from the same seed is a prefix of the longer one (shrinking).
  const engineSeed = Math.floor(random() * 2 ** 32);
  const driveSeed = Math.floor(random() * 2 ** 32);
  const faultSeed = Math.floor(random() * 2 ** 32);
  const turns = buildWorkload(random, commands, mode);
  const w: PreparedWorkload = {
    ...{ seed, mode, turns, engineSeed, driveSeed, fault: null, opsTotal: 0, recoveryMs: 0, digests: null, executedFull: [] },
    stats: { savesCompleted: 0, faultHits: 0, commandsRefused: 0, problem: null },
  };
  const dryRun = (window: FaultWindow | null, trace: boolean): SimFileSystem => {
    const fs = new SimFileSystem();
    fs.traceEnabled = trace;
    if (window !== null) fs.faultWindows.push(window);
    const clock = new VirtualClock();
    const run = drive(newNode(w, fs, clock), turns, seededRandom(driveSeed), window);
    w.executedFull = run.executed;
    w.opsTotal = fs.opCount;
    w.stats = {
      savesCompleted: run.saves.filter((s) => s.outcome === 'ok').length,
      faultHits: fs.faultsHit,
      commandsRefused: run.executed.filter((e) => e.refusal !== null).length,
      problem: run.problem,
    };
    w.recoveryMs = clock.ms + 1000;
    return fs;
  };
  const plain = dryRun(null, fault);
  if (fault) {
    w.fault = chooseFault(plain.trace, mode, seededRandom(faultSeed));
    if (w.fault !== null) dryRun(w.fault, false);
  }
  return w;
}

export interface CrashAtOptions {
  broken?: BrokenMode | null;
  /** Flip a bit of the synced RDB after the crash: start-up must then fail with a named cause. */
  corrupt?: boolean;
}

/**
 * Crashes a prepared workload at I/O operation `crashAtOp`, with the disk's choices drawn from `crashSeed`.
 * Contract: returns a result whose `violation` is null when recovery kept every promise, or a sentence naming
 * the broken one; throws only on a bug of the simulator itself.
 */
export function crashAt(w: PreparedWorkload, crashAtOp: number, crashSeed: number, options: CrashAtOptions = {}): CrashRunResult {
  const fs = new SimFileSystem();
  fs.crashAtOp = crashAtOp;
  fs.lyingFsync = options.broken === 'lying-fsync';
  if (w.fault !== null) fs.faultWindows.push(w.fault);
  const clock = new VirtualClock();
  const node = newNode(w, fs, clock, options.broken ?? null);
  const run = drive(node, w.turns, seededRandom(w.driveSeed), w.fault);
  const crashMs = clock.ms;
  const random = seededRandom(crashSeed);
  fs.crashAtOp = -1;
  fs.faultWindows.length = 0;
  fs.crash(random);
  fs.lyingFsync = false;
  const result: CrashRunResult = {
    seed: w.seed,
    mode: w.mode,
    fault: w.fault,
    crashAtOp,
    opsTotal: w.opsTotal,
    executed: run.executed.length,
    acknowledged: run.executed.filter((e) => e.ackedAtMs >= 0).length,
    required: requiredCommands(w.mode, run, crashMs),
    matchingPrefixes: [],
    recoveredDigest: '',
    corrupted: options.corrupt === true ? corruptSyncedRdb(fs, w.mode, random) : null,
    startupError: null,
    violation: run.problem,
  };
  if (result.violation !== null) return result;
  const restarted = newNode({ engineSeed: 1, mode: w.mode }, fs, new VirtualClock());
  restarted.expireWhileLoading = options.broken === 'expire-while-loading';
  try {
    restarted.startUp(w.recoveryMs);
  } catch (err) {
    if (!(err instanceof AofLoadError) && !(err instanceof RdbLoadError)) throw err;
    result.startupError = `${err.code}: ${err.message}`;
    if (result.corrupted === null) result.violation = `start-up failed after a power loss: ${result.startupError}`;
    return result;
  }
  if (result.corrupted !== null) {
    result.violation = `a flipped bit in synced bytes (${result.corrupted.path} offset ${result.corrupted.offset}) loaded without an error`;
    return result;
  }
  result.recoveredDigest = restarted.digest(w.recoveryMs);
  // The executed commands are a prefix of the full run (same seeds): one reference serves every crash point.
  w.digests ??= referenceDigests(w);
  checkRecovered(result, w.digests, allowedStates(w.mode, run));
  return result;
}

/** Sets `matchingPrefixes` and, when the recovered state is not allowed or too old, `violation`. */
function checkRecovered(result: CrashRunResult, digests: readonly string[], allowed: readonly AllowedState[]): void {
  for (const a of allowed) {
    if (digests[a.stateOf] === result.recoveredDigest) result.matchingPrefixes.push(a.prefix);
  }
  if (result.matchingPrefixes.length === 0) {
    result.violation =
      result.mode === 'rdb'
        ? 'the recovered dataset equals the state at no save that completed or was running at the crash'
        : 'the recovered dataset equals no prefix of the executed history (reordered, partial transaction, or resurrected data)';
    return;
  }
  const kept = Math.max(...result.matchingPrefixes);
  if (kept >= result.required) return;
  const promise =
    result.mode === 'rdb' ? 'the last completed save' : result.mode === 'everysec' ? 'acknowledged 2 s or more before the crash' : 'acknowledged';
  result.violation = `acknowledged writes lost: the recovered dataset is the state after ${kept} commands, but ${result.required} were ${promise} (${result.mode})`;
}

/**
 * Commands the mode promised to keep. After a clean SHUTDOWN: all. `always`: every acknowledged one.
 * `everysec`: those acknowledged 2 s or more before the crash, unless an injected fault hit within those 2 s
 * (a failing disk voids the everysec bound, in Redis too: the buffer waits for the disk). `no`: none.
 * `rdb`: the state of the last completed save.
 */
function requiredCommands(mode: CrashMode, run: Drive, crashMs: number): number {
  if (run.shutdown) return run.executed.length;
  if (mode === 'rdb') return Math.max(0, ...run.saves.filter((s) => s.outcome === 'ok').map((s) => s.prefix));
  let required = 0;
  for (let i = 0; i < run.executed.length; i++) {
    const acked = run.executed[i]!.ackedAtMs;
    if (acked < 0) break;
    if (mode === 'always') required = i + 1;
    else if (mode === 'everysec' && acked <= crashMs - 2000 && !run.faultHitsMs.some((ms) => ms >= acked && ms <= acked + 2000)) required = i + 1;
  }
  return required;
}

/** A state recovery may end in: reached after `prefix` commands, equal to the reference state after `stateOf`. */
interface AllowedState {
  prefix: number;
  stateOf: number;
}

/**
 * The states the recovered one may equal: any prefix under the AOF; under RDB the snapshot of a save that may be
 * on disk (FLUSHALL's save holds the empty dataset, prefix 0's state).
 */
function allowedStates(mode: CrashMode, run: Drive): AllowedState[] {
  if (mode !== 'rdb') return Array.from({ length: run.executed.length + 1 }, (_, i) => ({ prefix: i, stateOf: i }));
  const saves = run.saves.filter((s) => s.outcome !== 'failed');
  return [{ prefix: 0, stateOf: 0 }, ...saves.map((s) => ({ prefix: s.prefix, stateOf: s.emptyDataset ? 0 : s.prefix }))];
}

/** Flips a bit of the RDB start-up will read (dump.rdb, or the AOF's RDB base); null when there is none. */
function corruptSyncedRdb(fs: SimFileSystem, mode: CrashMode, random: () => number): { path: string; offset: number } | null {
  let path = `${DATA_DIR}/${RDB_NAME}`;
  if (mode !== 'rdb') {
    let base: string | undefined;
    try {
      base = loadManifestFromDisk({ fs, logger: QUIET, dirName: AOF_DIR, fileName: AOF_NAME }).base?.name;
    } catch (err) {
      if (!(err instanceof AofLoadError)) throw err;
    }
    if (base === undefined || !base.endsWith('.rdb')) return null;
    path = `${AOF_DIR}/${base}`;
  }
  if (fs.stat(path) === null) return null;
  const offset = fs.flipSyncedBitOf(random, path);
  return offset === null ? null : { path, offset };
}

/** One crash run from one seed: the workload, the fault, the crash point and the disk's choices all come from it. */
export function runCrash(options: CrashRunOptions): CrashRunResult {
  const w = prepareWorkload(options.seed, options.mode, options.commands, options.fault === true);
  const random = seededRandom(options.seed ^ 0x5bd1e995);
  const crashAtOp = options.crashAtOp ?? Math.floor(random() * w.opsTotal);
  return crashAt(w, crashAtOp, Math.floor(random() * 2 ** 32), { broken: options.broken ?? null, corrupt: options.corrupt === true });
}
