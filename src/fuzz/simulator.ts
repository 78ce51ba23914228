/**
 * The crash simulator: from one seed, a workload of client commands runs on the real engine and the real AOF
 * over the simulated disk and a virtual clock; power is cut at a chosen I/O operation; the engine restarts on
 * what the disk kept; the recovered dataset is checked against the acknowledged history. See SPEC.md, "Crash
 * simulation".
 *
 * The oracle. A reference engine without persistence runs the same commands in the same order with the same
 * seeded randomness and records the dataset digest (DEBUG DIGEST) after each command: `prefix[i]` is the state
 * after the first i commands. A recovery is correct when its digest equals some `prefix[p]` — no reordering,
 * no half of a MULTI/EXEC (queued commands change nothing until EXEC), no resurrected key — with p at least the
 * number of commands the policy promised to keep:
 *   always:   every command whose reply was released (replies leave only after the turn's write + fsync);
 *   everysec: every command acknowledged 2 s of virtual time or more before the crash;
 *   no:       nothing.
 * Start-up after a power loss must succeed (`aof-load-truncated yes` trims a torn tail); a failure is a
 * violation unless corruption was injected into synced bytes on purpose.
 *
 * Everything — the workload, the turn boundaries, the clock, the crash point, what the disk keeps — comes from
 * the seed, so `--seed S` replays a run exactly.
 */
import type { Bytes } from '../../formats/index.js';
import { Engine, allCommands, NULL_HOST, type EngineHost, type PropagatedCommand, type Session } from '../commands/index.js';
import { defaultKeyspaceConfig, digestHex, keyspaceDigest } from '../keyspace/index.js';
import {
  AppendOnlyFile,
  AofLoadError,
  loadAppendOnlyFiles,
  loadManifestFromDisk,
  keyspaceBaseSnapshots,
  type FsyncPolicy,
} from '../persistence/aof/index.js';
import { loadRdbFile, type PersistenceClock } from '../persistence/index.js';
import { SimFileSystem, SimulatedCrash } from './sim-fs.js';

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

export interface CrashRunOptions {
  seed: number;
  fsync: FsyncPolicy;
  /** Commands in the workload. */
  commands?: number;
  /** I/O operation to crash at; default: chosen from the seed among all operations of the run. */
  crashAtOp?: number;
  /** Deliberately broken disk: fsync reports success and makes nothing durable (proves the checker can fail). */
  lyingFsync?: boolean;
}

export interface CrashRunResult {
  seed: number;
  fsync: FsyncPolicy;
  crashAtOp: number;
  /** I/O operations of the whole run without a crash (the space crash points are drawn from). */
  opsTotal: number;
  executed: number;
  /** Commands the policy promised to keep. */
  required: number;
  /** Prefix lengths whose state equals the recovered one. */
  matchingPrefixes: number[];
  recoveredDigest: string;
  violation: string | null;
}

const DATA_DIR = '/data';
const AOF_DIR = '/data/appendonlydir';
const AOF_NAME = 'appendonly.aof';

/** Virtual time: starts at a fixed instant and moves only when the simulator says. */
class VirtualClock implements PersistenceClock {
  ms = 1_700_000_000_000;
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

/** One random write (or read) command over every data type, on a small key set so types collide. */
function randomCommand(random: () => number): Bytes[] {
  const k = pick(random, KEYS);
  const v = String(Math.floor(random() * 1000));
  const r = random();
  if (r < 0.1) return ['SET', k, 'v' + v];
  if (r < 0.16) return ['INCRBY', k, v];
  if (r < 0.2) return ['APPEND', k, v];
  if (r < 0.26) return ['DEL', k];
  if (r < 0.33) return ['RPUSH', k, v, 'x' + v];
  if (r < 0.37) return ['LPOP', k];
  if (r < 0.44) return ['HSET', k, 'f' + (Number(v) % 5), v];
  if (r < 0.47) return ['HDEL', k, 'f' + (Number(v) % 5)];
  if (r < 0.54) return ['SADD', k, v, String(Number(v) + 1)];
  if (r < 0.57) return ['SREM', k, v];
  if (r < 0.64) return ['ZADD', k, v, 'm' + (Number(v) % 7)];
  if (r < 0.67) return ['ZINCRBY', k, '1.5', 'm' + (Number(v) % 7)];
  if (r < 0.71) return ['XADD', k, '*', 'f', v];
  if (r < 0.75) return ['EXPIRE', k, '100000'];
  if (r < 0.77) return ['PERSIST', k];
  if (r < 0.8) return ['SPOP', k];
  if (r < 0.83) return ['GET', k];
  if (r < 0.86) return ['SELECT', String(Math.floor(random() * 3))];
  if (r < 0.88) return ['RENAME', k, pick(random, KEYS)];
  if (r < 0.895) return ['FLUSHALL'];
  if (r < 0.91) return ['BGREWRITEAOF'];
  return ['INCR', 'counter'];
}

/** The workload: turns of commands, some inside MULTI/EXEC. */
function buildWorkload(random: () => number, count: number): Bytes[][][] {
  const turns: Bytes[][][] = [];
  let total = 0;
  while (total < count) {
    const turn: Bytes[][] = [];
    const size = 1 + Math.floor(random() * 4);
    for (let i = 0; i < size; i++) {
      if (random() < 0.12) {
        turn.push(['MULTI']);
        const n = 1 + Math.floor(random() * 3);
        for (let j = 0; j < n; j++) turn.push(randomCommand(random));
        turn.push(['EXEC']);
      } else {
        turn.push(randomCommand(random));
      }
    }
    total += turn.length;
    turns.push(turn);
  }
  return turns;
}

// ---------------------------------------------------------------------------------------------------------
// One node: engine + AOF on the simulated disk

class SimNode implements EngineHost {
  readonly engine: Engine;
  readonly aof: AppendOnlyFile;
  private readonly session: Session;
  /** Work the AOF scheduled for a later event-loop turn (rewrite steps). */
  private scheduled: (() => void)[] = [];

  constructor(
    readonly fs: SimFileSystem,
    readonly clock: VirtualClock,
    random: () => number,
    fsync: FsyncPolicy,
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
      logger: { verbose() {}, notice() {}, warning() {} },
      dirName: AOF_DIR,
      fileName: AOF_NAME,
      settings: {
        fsync,
        useRdbPreamble: true,
        timestampEnabled: false,
        autoRewritePercentage: 100,
        autoRewriteMinSizeBytes: 4096,
        disableAutoGc: false,
      },
      fatal: (message) => {
        throw new SimulatedStop(message);
      },
      openBase: keyspaceBaseSnapshots(keyspace, () => ({ nowMs: clock.nowMs(), compression: true, checksum: true })),
      schedule: (work) => void this.scheduled.push(work),
    });
    // A few keys per turn, so a rewrite spans several turns of writes (copy-on-write) on this small dataset.
    this.aof.rewriteKeysPerStep = 2;
    this.session = this.engine.createSession();
  }

  // EngineHost
  propagate(commands: readonly PropagatedCommand[]): void {
    this.aof.propagate(commands);
  }
  persistenceBroken(): boolean {
    return this.aof.refusal() !== null;
  }
  persistenceRefusal(): string | null {
    return this.aof.refusal();
  }
  isReplica(): boolean {
    return false;
  }
  isLoading(): boolean {
    return false;
  }

  /** Loads what the disk holds (start-up with `appendonly yes`, `aof-load-truncated yes`) and opens the log. */
  startUp(): void {
    this.fs.mkdir(AOF_DIR);
    const options = { fs: this.fs, logger: { verbose() {}, notice() {}, warning() {} }, dirName: AOF_DIR, fileName: AOF_NAME, dataDir: DATA_DIR, loadTruncated: true };
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

  /** Runs one client command; returns its reply bytes (released only after `endTurn`). */
  run(args: Bytes[]): void {
    if (args[0] === 'BGREWRITEAOF') {
      this.aof.bgrewriteaof();
      return;
    }
    this.engine.execute(this.session, args);
  }

  /** End of an event-loop turn: the AOF writes (and fsyncs per policy) before replies are released. */
  endTurn(): void {
    this.aof.beforeSleep();
    this.session.reply.take();
  }

  /** Between two turns: runs what was scheduled before it (what that work schedules waits for the next gap). */
  runScheduled(): void {
    const due = this.scheduled;
    this.scheduled = [];
    for (const work of due) work();
  }

  digest(): string {
    return digestHex(keyspaceDigest(this.engine.keyspace.dbs));
  }
}

/** The AOF's `fatal`: durability promised under `always` could not be kept, so the process stops (as Redis). */
export class SimulatedStop extends Error {
  readonly code = 'SIMULATED_STOP';
}

// ---------------------------------------------------------------------------------------------------------
// A run

interface Executed {
  /** Virtual ms at which the command ran (the reference replays it at the same instant). */
  atMs: number;
  /** Virtual ms at which the command's reply was released, or -1 if never. */
  ackedAtMs: number;
}

/** Drives the workload until it ends or the disk crashes; returns the commands executed and when each was acked. */
function drive(node: SimNode, turns: Bytes[][][], random: () => number): { executed: Executed[]; crashed: boolean } {
  const executed: Executed[] = [];
  try {
    node.startUp();
    for (const turn of turns) {
      const start = executed.length;
      for (const args of turn) {
        executed.push({ atMs: node.clock.ms, ackedAtMs: -1 });
        node.run(args);
        if (node.fs.poweredOff) return { executed, crashed: true };
      }
      node.endTurn();
      // The persistence code may have caught the crash as an I/O error: the process is gone all the same.
      if (node.fs.poweredOff) return { executed, crashed: true };
      for (let i = start; i < executed.length; i++) executed[i]!.ackedAtMs = node.clock.ms;
      node.runScheduled();
      if (node.fs.poweredOff) return { executed, crashed: true };
      // Time passes; the cron runs every 100 ms of it. A background fsync (everysec) finishes within the turn or
      // within the next 100 ms tick: the disk is slow at times but not stalled (a stalled disk makes Redis's
      // everysec lose more than 2 s too).
      if (random() < 0.5) node.fs.runBackground();
      if (node.fs.poweredOff) return { executed, crashed: true };
      const advanceMs = Math.floor(random() * 400);
      for (let t = 0; t < advanceMs; t += 100) {
        node.clock.ms += Math.min(100, advanceMs - t);
        node.fs.nowMs = node.clock.ms;
        node.aof.cron();
        node.fs.runBackground();
        if (node.fs.poweredOff) return { executed, crashed: true };
      }
    }
    node.endTurn();
    return { executed, crashed: false };
  } catch (err) {
    if (err instanceof SimulatedCrash || err instanceof SimulatedStop) return { executed, crashed: true };
    throw err;
  }
}

/**
 * Digest of the reference state after each prefix of the executed commands (index 0: empty dataset). Prefixes
 * shorter than `fromPrefix` are not digested (''): only the window the policy allows is checked, which keeps a
 * run cheap (a digest walks the whole dataset).
 */
function referenceDigests(turns: Bytes[][][], executed: readonly Executed[], seed: number, fromPrefix: number): string[] {
  const count = executed.length;
  const clock = new VirtualClock();
  const node = new SimNode(new SimFileSystem(), clock, seededRandom(seed ^ 0x9e3779b9), 'no');
  const engine = node.engine;
  engine.host = NULL_HOST;
  const session = engine.createSession();
  const digests = [fromPrefix <= 0 ? node.digest() : ''];
  let n = 0;
  outer: for (const turn of turns) {
    for (const args of turn) {
      if (n >= count) break outer;
      clock.ms = executed[n++]!.atMs;
      if (args[0] !== 'BGREWRITEAOF') engine.execute(session, args);
      session.reply.take();
      digests.push(n >= fromPrefix ? node.digest() : '');
    }
  }
  return digests;
}

/** A workload ready to be crashed at many points: its commands, seeds, I/O count and reference digests. */
export interface PreparedWorkload {
  seed: number;
  fsync: FsyncPolicy;
  turns: Bytes[][][];
  engineSeed: number;
  driveSeed: number;
  /** I/O operations of the whole run without a crash (the space crash points are drawn from). */
  opsTotal: number;
  /** Digests after each prefix of the full run's commands, computed on first use. */
  digests: string[] | null;
  executedFull: Executed[];
}

export function prepareWorkload(seed: number, fsync: FsyncPolicy, commands = 80): PreparedWorkload {
  const random = seededRandom(seed);
  // Seeds first, workload last: a shorter workload from the same seed is a prefix of the longer one (shrinking).
  const engineSeed = Math.floor(random() * 2 ** 32);
  const driveSeed = Math.floor(random() * 2 ** 32);
  const turns = buildWorkload(random, commands);
  const dryFs = new SimFileSystem();
  const { executed } = drive(new SimNode(dryFs, new VirtualClock(), seededRandom(engineSeed ^ 0x9e3779b9), fsync), turns, seededRandom(driveSeed));
  return { seed, fsync, turns, engineSeed, driveSeed, opsTotal: dryFs.opCount, digests: null, executedFull: executed };
}

/**
 * Crashes a prepared workload at I/O operation `crashAtOp`, with the disk's choices drawn from `crashSeed`.
 * Contract: returns a result whose `violation` is null when recovery kept every promise, or a sentence naming
 * the broken one; throws only on a bug of the simulator itself.
 */
export function crashAt(w: PreparedWorkload, crashAtOp: number, crashSeed: number, lyingFsync = false): CrashRunResult {
  const fs = new SimFileSystem();
  fs.crashAtOp = crashAtOp;
  fs.lyingFsync = lyingFsync;
  const clock = new VirtualClock();
  const { executed } = drive(new SimNode(fs, clock, seededRandom(w.engineSeed ^ 0x9e3779b9), w.fsync), w.turns, seededRandom(w.driveSeed));
  const crashMs = clock.ms;
  fs.crashAtOp = -1;
  fs.crash(seededRandom(crashSeed));
  fs.lyingFsync = false;

  let required = 0;
  for (let i = 0; i < executed.length; i++) {
    const acked = executed[i]!.ackedAtMs;
    if (acked < 0) break;
    if (w.fsync === 'always') required = i + 1;
    else if (w.fsync === 'everysec' && acked <= crashMs - 2000) required = i + 1;
  }
  const result: CrashRunResult = {
    seed: w.seed,
    fsync: w.fsync,
    crashAtOp,
    opsTotal: w.opsTotal,
    executed: executed.length,
    required,
    matchingPrefixes: [],
    recoveredDigest: '',
    violation: null,
  };
  const restarted = new SimNode(fs, new VirtualClock(), seededRandom(1), w.fsync);
  try {
    restarted.startUp();
  } catch (err) {
    if (err instanceof AofLoadError) {
      result.violation = `start-up failed after a power loss: ${err.code}: ${err.message}`;
      return result;
    }
    throw err;
  }
  result.recoveredDigest = restarted.digest();
  // The executed commands are a prefix of the full run (same seeds): one reference serves every crash point.
  w.digests ??= referenceDigests(w.turns, w.executedFull, w.engineSeed, 0);
  const digests = w.digests;
  for (let p = 0; p <= executed.length && p < digests.length; p++) {
    if (digests[p] === result.recoveredDigest) result.matchingPrefixes.push(p);
  }
  if (result.matchingPrefixes.length === 0) {
    result.violation = 'the recovered dataset equals no prefix of the executed history (reordered, partial transaction, or resurrected data)';
  } else if (Math.max(...result.matchingPrefixes) < required) {
    result.violation = `acknowledged writes lost: the recovered dataset is the state after ${Math.max(...result.matchingPrefixes)} commands, but ${required} were acknowledged under appendfsync ${w.fsync}`;
  }
  return result;
}

/** One crash run from one seed: the workload, the crash point and the disk's choices all come from it. */
export function runCrash(options: CrashRunOptions): CrashRunResult {
  const w = prepareWorkload(options.seed, options.fsync, options.commands);
  const random = seededRandom(options.seed ^ 0x5bd1e995);
  const crashAtOp = options.crashAtOp ?? Math.floor(random() * w.opsTotal);
  return crashAt(w, crashAtOp, Math.floor(random() * 2 ** 32), options.lyingFsync === true);
}
