/**
 * The append-only file at run time: feeding propagated commands into the buffer, writing and fsyncing it once
 * per loop turn under the configured policy, rotating INCR files, rewriting the BASE and switching the manifest.
 * Loading at start-up is in load.ts; the codec (manifest, command log) in formats/aof.ts. SPEC.md, "AOF".
 *
 * Manifest lifecycle (Redis 7.0 multi-part AOF, `src/aof.c`):
 *
 *   appenddirname/
 *     <appendfilename>.<seq>.base.rdb|aof   the dataset at the last rewrite (RDB preamble, or commands)
 *     <appendfilename>.<seq>.incr.aof       every change since, as propagated; only the last one is written
 *     <appendfilename>.manifest             which files make up the dataset, in order
 *
 * The manifest is the commit point: it is replaced atomically (temp file, fsync, rename, fsync dir), and every
 * file it names is durable before it is named. A rewrite (rewriteAppendOnlyFileBackground) therefore goes:
 *
 *   1. flush the buffer to the current INCR and fsync it, open INCR n+1, persist a manifest that lists it (old
 *      base and INCRs stay listed: a crash now loads old base + old INCRs + INCR n+1, which is the whole
 *      history). From here on every write goes to INCR n+1;
 *   2. write the new BASE into a temp file from a point-in-time snapshot of the dataset as it was at step 1
 *      (../snapshot.ts: copy-on-write per key, no fork), a slice of keys per event-loop turn while commands keep
 *      running; then fsync it and rename it into place;
 *   3. persist a manifest naming the new BASE and INCR n+1 only, the old files as history;
 *   4. unlink the history files and persist the manifest without them.
 *
 * A crash between any two steps, or in the middle of step 2, leaves a manifest whose files are all present and
 * durable: until step 3 the new BASE is an unlisted temp file. Only one rewrite runs at a time, and never beside
 * a BGSAVE (the keyspace has one snapshot observer, as Redis has one child): BGREWRITEAOF then waits
 * (`rewriteScheduled`) and the cron starts it once the BGSAVE is over. SHUTDOWN, `appendonly no` and a restart of
 * the log stop a running rewrite and delete its temp file (killAppendOnlyChild); the folder is then the one of
 * step 1.
 *
 * Durability (flushAppendOnlyFile): the server calls `beforeSleep` once per loop turn before it writes any reply.
 *   - always:   write + fsync here, synchronously: a reply is sent only after its write is on disk; one fsync
 *               covers every command of the turn (group commit). A failed write or fsync cannot be undone
 *               (the dataset already changed and may have been read), so the process stops, as Redis does.
 *   - everysec: write here; fsync in the background at most once a second. If the previous fsync is still
 *               running, the write is postponed, but never for more than 2 s ("aof_delayed_fsync").
 *   - no:       write here; the kernel decides.
 * A failed write under everysec/no keeps the buffer, sets aof_last_write_status:err and makes the server refuse
 * writes with "MISCONF Errors writing to the AOF file: <strerror>" until a retry (every second) succeeds.
 */
import { join } from 'node:path';
import {
  ReplyWriter,
  encodeTimestampAnnotation,
  serializeAofManifest,
  type AofFileInfo,
  type AofManifest,
} from '../../../formats/index.js';
import type { Bytes } from '../../../formats/index.js';
import { fsErrorCode, writeFileAtomic, type FileHandle, type PersistenceClock } from '../fs.js';
import { snapshotStepTime, type SnapshotStepLimits, type SnapshotStepTime } from '../snapshot.js';
import { strerror, type AofFileSystem } from './aof-fs.js';

export type FsyncPolicy = 'always' | 'everysec' | 'no';

export interface AofLogger {
  verbose(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
}

/** Settings that CONFIG SET may change while running; read at each use. */
export interface AofSettings {
  fsync: FsyncPolicy;
  useRdbPreamble: boolean;
  timestampEnabled: boolean;
  autoRewritePercentage: number;
  autoRewriteMinSizeBytes: number;
  disableAutoGc: boolean;
}

/**
 * A BASE being written: the dataset as it was when the snapshot was opened, serialized a slice per `step` (the
 * point-in-time snapshot of ../snapshot.ts fits). `failure` holds the sink's error once it failed.
 */
export interface BaseSnapshot {
  step(limits: SnapshotStepLimits): boolean;
  finishNow(): void;
  abort(): void;
  readonly failure: unknown;
  readonly bytesWritten: number;
  readonly cowBytes: number;
  readonly keysSaved: number;
}

/**
 * Opens a BASE snapshot of the dataset as RDB (`rdb`, the preamble) or as commands (`aof`) into `sink`. With
 * `observe` false the caller finishes it before returning to the event loop (nothing can change meanwhile).
 */
export type BaseSnapshotFactory = (
  format: 'rdb' | 'aof',
  sink: (chunk: Uint8Array) => void,
  options: { timestampSec: number | null; observe: boolean },
) => BaseSnapshot;

export interface AppendOnlyFileOptions {
  fs: AofFileSystem;
  clock: PersistenceClock;
  logger: AofLogger;
  /** appenddirname, relative to the working directory. */
  dirName: string;
  /** appendfilename. */
  fileName: string;
  settings: AofSettings;
  openBase: BaseSnapshotFactory;
  /**
   * Runs `work` on a later event-loop turn (setImmediate in the server; the simulator's turn gap). Without it a
   * rewrite writes its whole BASE within the call that starts it.
   */
  schedule?(work: () => void): void;
  /** True while another background job holds the snapshot (a BGSAVE): a rewrite must wait for it. */
  otherChildActive?(): boolean;
  /** The manifest on disk, for a rewrite while the log is closed (`appendonly no`); throws when unreadable. */
  readManifest?(): AofManifest;
  /** Stops the process (exit 1) after an error that breaks the always-fsync promise. */
  fatal(message: string): void;
  /** Largest buffer kept while writes fail; beyond it the server must stop (a named maximum). */
  bufferBytesMax?: number;
}

const MANIFEST_NAME_SUFFIX = '.manifest';
const TEMP_FILE_NAME_PREFIX = 'temp-';
/** AOF_WRITE_LOG_ERROR_RATE: one write-error log line per 30 s. */
const WRITE_ERROR_LOG_RATE_SEC = 30;
/** Redis postpones a write behind a running background fsync for at most 2 s. */
const POSTPONE_MAX_SEC = 2;
const BUFFER_BYTES_MAX_DEFAULT = 1024 * 1024 * 1024;
/** Keys serialized into a rewrite's BASE per event-loop turn at most; the time budget is the real bound (as BGSAVE_KEYS_PER_STEP). */
export const REWRITE_KEYS_PER_STEP = 100_000;

const REWRITE_IN_PROGRESS = '-ERR Background append only file rewriting already in progress';
const REWRITE_SCHEDULED = '+Background append only file rewriting scheduled';
const REWRITE_STARTED = '+Background append only file rewriting started';
const REWRITE_CANNOT_START = "-ERR Can't execute an AOF background rewriting. Please check the server logs for more information.";

/** A rewrite between its step 1 and step 3 (module comment). */
interface RewriteJob {
  snapshot: BaseSnapshot;
  /** The temp BASE file being written. */
  fd: FileHandle;
  tempPath: string;
  /** The BASE's final name and sequence number. */
  name: string;
  seq: number;
  /** `appendonly no`: the manifest on disk at the start, which the new BASE replaces wholly. */
  offManifest: AofManifest | null;
  startedMs: number;
}

export function manifestName(fileName: string): string {
  return fileName + MANIFEST_NAME_SUFFIX;
}
export function baseName(fileName: string, seq: number, rdb: boolean): string {
  return `${fileName}.${seq}.base.${rdb ? 'rdb' : 'aof'}`;
}
export function incrName(fileName: string, seq: number): string {
  return `${fileName}.${seq}.incr.aof`;
}

export class AppendOnlyFile {
  private readonly fs: AofFileSystem;
  private readonly clock: PersistenceClock;
  private readonly logger: AofLogger;
  readonly dirName: string;
  readonly fileName: string;
  readonly settings: AofSettings;
  private readonly openBase: BaseSnapshotFactory;
  private readonly schedule: ((work: () => void) => void) | null;
  private readonly otherChildActive: () => boolean;
  private readonly readManifest: (() => AofManifest) | null;
  private readonly fatal: (message: string) => void;
  private readonly bufferBytesMax: number;

  manifest: AofManifest = { base: null, history: [], incrs: [] };
  private baseSeq = 0;
  private incrSeq = 0;
  private fd: FileHandle | null = null;
  /**
   * Pending bytes of the turn, encoded straight into bytes by a RESP writer (a command is a multibulk of bulk
   * strings, the bytes Redis's catAppendOnlyGenericCommand writes): building a latin1 string per command and
   * converting the turn's concatenation cost twice as much CPU per MSET under redis-benchmark (BENCHMARKS.md).
   */
  private readonly buffer = new ReplyWriter();
  private selectedDb = -1;
  private timestampSec = 0;

  /** aof_current_size: BASE + INCRs. */
  currentSizeBytes = 0;
  /** aof_rewrite_base_size: size after the last rewrite (auto-rewrite growth is measured from it). */
  rewriteBaseSizeBytes = 0;
  /** aof_last_incr_size: bytes written to the current INCR. */
  private incrSizeBytes = 0;
  private fsyncedIncrBytes = 0;
  private lastFsyncSec = 0;
  private backgroundFsyncs = 0;
  private postponedStartSec = 0;
  delayedFsyncs = 0;

  /** aof_last_write_status / aof_bio_fsync_status; the errno code of the last failure. */
  private writeFailed = false;
  private backgroundFsyncFailed = false;
  private lastErrorCode: string | null = null;
  private lastErrorLogSec = 0;

  rewrites = 0;
  rewritesConsecutiveFailures = 0;
  lastBgrewriteOk = true;
  lastRewriteTimeSec = -1;
  rewriteScheduled = false;
  /** aof_last_cow_size: bytes the last rewrite serialized ahead of its scan. */
  lastCowBytes = 0;
  /** Keys per event-loop turn at most (tests and the simulator lower it to stretch a rewrite over more turns). */
  rewriteKeysPerStep = REWRITE_KEYS_PER_STEP;
  private job: RewriteJob | null = null;
  private readonly stepTime: SnapshotStepTime;
  /**
   * Handles to close once their queued background fsyncs are done (true: retire, fsync and close in the
   * background), and how many fsyncs are queued on each handle.
   */
  private readonly closing = new Map<FileHandle, boolean>();
  private readonly queuedOn = new Map<FileHandle, number>();

  constructor(options: AppendOnlyFileOptions) {
    this.fs = options.fs;
    this.clock = options.clock;
    this.stepTime = snapshotStepTime(options.clock);
    this.logger = options.logger;
    this.dirName = options.dirName;
    this.fileName = options.fileName;
    this.settings = options.settings;
    this.openBase = options.openBase;
    this.schedule = options.schedule?.bind(options) ?? null;
    this.otherChildActive = options.otherChildActive?.bind(options) ?? (() => false);
    this.readManifest = options.readManifest?.bind(options) ?? null;
    this.fatal = options.fatal;
    this.bufferBytesMax = options.bufferBytesMax ?? BUFFER_BYTES_MAX_DEFAULT;
  }

  private path(name: string): string {
    return join(this.dirName, name);
  }

  private nowSec(): number {
    return Math.floor(this.clock.nowMs() / 1000);
  }

  get open(): boolean {
    return this.fd !== null;
  }

  get bufferLength(): number {
    return this.buffer.pendingBytes;
  }

  /** Bytes of the current INCR made durable by the last completed fsync (tests, WAITAOF later). */
  get fsyncedBytes(): number {
    return this.fsyncedIncrBytes;
  }

  // -------------------------------------------------------------------------------------------------------
  // Start

  /**
   * aofOpenIfNeededOnServerStart: after loading. With nothing on disk, writes a BASE of the (empty or
   * RDB-loaded) dataset first; then opens the last INCR for appending (or creates INCR 1) and persists the
   * manifest. Throws on any failure: the server must not start without its log.
   */
  start(loaded: AofManifest, sizes: { baseBytes: number; totalBytes: number }): void {
    this.abortRewrite();
    this.fs.mkdir(this.dirName);
    this.manifest = cloneManifest(loaded);
    this.baseSeq = loaded.base?.seq ?? 0;
    this.incrSeq = loaded.incrs.length === 0 ? 0 : loaded.incrs[loaded.incrs.length - 1]!.seq;
    this.currentSizeBytes = sizes.totalBytes;
    this.rewriteBaseSizeBytes = sizes.baseBytes;
    if (this.manifest.base === null && this.manifest.incrs.length === 0) {
      const name = this.nextBaseName(this.manifest);
      const bytes = this.writeBaseFile(name);
      this.currentSizeBytes = bytes;
      this.rewriteBaseSizeBytes = bytes;
      this.logger.notice(`Creating AOF base file ${name} on server start`);
    }
    const existing = this.manifest.incrs.length > 0;
    if (!existing) this.manifest.incrs.push({ name: incrName(this.fileName, ++this.incrSeq), seq: this.incrSeq, type: 'i' });
    const incr = this.manifest.incrs[this.manifest.incrs.length - 1]!;
    this.fd = this.fs.open(this.path(incr.name), 'append');
    this.persistManifest(this.manifest);
    this.incrSizeBytes = this.fs.size(this.fd);
    this.fsyncedIncrBytes = this.incrSizeBytes;
    this.lastFsyncSec = this.nowSec();
    this.logger.notice(`${existing ? 'Opening' : 'Creating'} AOF incr file ${incr.name} on server start`);
  }

  // -------------------------------------------------------------------------------------------------------
  // Feeding and flushing

  /** feedAppendOnlyFile for each command of a batch: `#TS:` when the second changed, SELECT when the db did. */
  propagate(commands: readonly { dbIndex: number; args: Bytes[] }[]): void {
    if (this.fd === null) return;
    for (const command of commands) {
      if (this.settings.timestampEnabled) {
        const now = this.nowSec();
        if (this.timestampSec < now) {
          this.buffer.text(encodeTimestampAnnotation(now));
          this.timestampSec = now;
        }
      }
      if (command.dbIndex !== this.selectedDb) {
        this.buffer.bulkArray(['SELECT', String(command.dbIndex)]);
        this.selectedDb = command.dbIndex;
      }
      this.buffer.bulkArray(command.args);
    }
    if (this.buffer.pendingBytes > this.bufferBytesMax) {
      this.fatal(`The AOF buffer reached ${this.buffer.pendingBytes} bytes while writes to the AOF file keep failing. Exiting...`);
    }
  }

  /** Once per loop turn, before replies go out. */
  beforeSleep(): void {
    this.flush(false);
  }

  /**
   * hz times a second: postponed writes, write-error retries, the everysec fsync, a scheduled rewrite once no
   * BGSAVE runs (also with the log closed, as serverCron), automatic rewrites on growth.
   */
  cron(): void {
    if (this.fd !== null) this.flush(false);
    if (this.job !== null || this.otherChildActive()) return;
    if (this.rewriteScheduled) {
      if (!this.rewriteLimited()) this.rewrite();
      return;
    }
    if (this.fd === null) return;
    const percentage = this.settings.autoRewritePercentage;
    if (percentage > 0 && this.currentSizeBytes > this.settings.autoRewriteMinSizeBytes) {
      const base = this.rewriteBaseSizeBytes === 0 ? 1 : this.rewriteBaseSizeBytes;
      const growth = Math.floor((this.currentSizeBytes * 100) / base) - 100;
      if (growth >= percentage && !this.rewriteLimited()) {
        this.logger.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
        this.rewrite();
      }
    }
  }

  /**
   * flushAppendOnlyFile. `force` writes even when a background fsync is running (rewrite, shutdown).
   * Outcomes: nothing to do; postponed (everysec, fsync running < 2 s); written (+ fsynced per policy);
   * write failed (everysec/no: status err, buffer kept, retried from cron; always: fatal).
   */
  flush(force: boolean): void {
    if (this.fd === null) return;
    const policy = this.settings.fsync;
    const now = this.nowSec();
    if (this.buffer.pendingBytes === 0) {
      if (policy === 'everysec' && this.fsyncedIncrBytes !== this.incrSizeBytes && now > this.lastFsyncSec && this.backgroundFsyncs === 0) {
        this.fsyncPerPolicy(now);
      }
      return;
    }
    if (policy === 'everysec' && !force && this.backgroundFsyncs > 0) {
      if (this.postponedStartSec === 0) {
        this.postponedStartSec = now;
        return;
      }
      if (now - this.postponedStartSec < POSTPONE_MAX_SEC) return;
      this.delayedFsyncs++;
      this.logger.notice(
        'Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.',
      );
    }
    this.postponedStartSec = 0;
    const data = this.buffer.take();
    try {
      this.fs.write(this.fd, data);
    } catch (err) {
      this.buffer.raw(data); // kept for the retry, as before the write
      this.writeError(err, now);
      return;
    }
    if (this.writeFailed) {
      this.logger.warning('AOF write error looks solved, Redis can write again.');
      this.writeFailed = false;
    }
    this.incrSizeBytes += data.length;
    this.currentSizeBytes += data.length;
    this.fsyncPerPolicy(now);
  }

  private writeError(err: unknown, now: number): void {
    const code = fsErrorCode(err);
    if (code === null) throw err;
    if (now - this.lastErrorLogSec > WRITE_ERROR_LOG_RATE_SEC) {
      this.lastErrorLogSec = now;
      this.logger.warning(`Error writing to the AOF file: ${strerror(code)}`);
    }
    this.lastErrorCode = code;
    // Part of the data may have reached the file: cut it back so the log stays a sequence of whole commands.
    try {
      this.fs.truncateOpen(this.fd!, this.incrSizeBytes);
    } catch (truncateErr) {
      this.logger.warning(
        `Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ftruncate: ${strerror(fsErrorCode(truncateErr))}`,
      );
    }
    if (this.settings.fsync === 'always') {
      this.logger.warning("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
      this.fatal(`AOF write error: ${strerror(code)}`);
      return;
    }
    this.writeFailed = true;
  }

  private fsyncPerPolicy(now: number): void {
    const fd = this.fd!;
    if (this.settings.fsync === 'always') {
      try {
        this.fs.fsync(fd);
      } catch (err) {
        const code = fsErrorCode(err);
        if (code === null) throw err;
        this.logger.warning(`Can't persist AOF for fsync error when the AOF fsync policy is 'always': ${strerror(code)}. Exiting...`);
        this.fatal(`AOF fsync error: ${strerror(code)}`);
        return;
      }
      this.fsyncedIncrBytes = this.incrSizeBytes;
      this.lastFsyncSec = now;
    } else if (this.settings.fsync === 'everysec' && now > this.lastFsyncSec) {
      if (this.backgroundFsyncs === 0) this.backgroundFsync(fd, this.incrSizeBytes);
      this.lastFsyncSec = now;
    }
  }

  /** A BIO_AOF_FSYNC job: its outcome is aof_bio_fsync_status (EBADF/EINVAL count as success, as in Redis). */
  private backgroundFsync(fd: FileHandle, upToBytes: number): void {
    this.backgroundFsyncs++;
    this.queueOn(fd, (err) => {
      this.backgroundFsyncs--;
      const code = err === null ? null : fsErrorCode(err);
      if (err !== null && code !== 'EBADF' && code !== 'EINVAL') {
        this.backgroundFsyncFailed = true;
        this.lastErrorCode = code;
        this.logger.warning(`Fail to fsync the AOF file: ${strerror(code)}`);
      } else {
        this.backgroundFsyncFailed = false;
        if (fd === this.fd) this.fsyncedIncrBytes = Math.max(this.fsyncedIncrBytes, upToBytes);
      }
    });
  }

  /**
   * Queues a background fsync of `fd`; `done` sees its error. A handle waiting to be closed is closed (or retired)
   * once its last queued fsync has finished, never before: a later job would find it closed.
   */
  private queueOn(fd: FileHandle, done: (err: Error | null) => void): void {
    this.queuedOn.set(fd, (this.queuedOn.get(fd) ?? 0) + 1);
    this.fs.fsyncInBackground(fd, (err) => {
      const left = this.queuedOn.get(fd)! - 1;
      if (left > 0) this.queuedOn.set(fd, left);
      else this.queuedOn.delete(fd);
      done(err);
      const retire = this.closing.get(fd);
      if (left > 0 || retire === undefined) return;
      this.closing.delete(fd);
      if (retire) this.fs.fsyncAndCloseInBackground(fd);
      else this.closeQuietly(fd);
    });
  }

  /** Closes `fd` now, or after the background fsyncs queued on it. */
  private closeWhenIdle(fd: FileHandle): void {
    if (this.queuedOn.has(fd)) this.closing.set(fd, false);
    else this.closeQuietly(fd);
  }

  private closeQuietly(fd: FileHandle): void {
    try {
      this.fs.close(fd);
    } catch {
      // The data was fsynced (or the failure reported) already; a close error changes nothing.
    }
  }

  /** The MISCONF text while writes must be refused, else null (writeCommandsDeniedByDiskError). */
  refusal(): string | null {
    if (this.fd === null) return null;
    if (!this.writeFailed && !this.backgroundFsyncFailed) return null;
    return `MISCONF Errors writing to the AOF file: ${strerror(this.lastErrorCode)}`;
  }

  get lastWriteOk(): boolean {
    return !this.writeFailed && !this.backgroundFsyncFailed;
  }

  /**
   * prepareForShutdown: write what is buffered and fsync. Like Redis 7.0 it never refuses the shutdown: a buffer
   * that still cannot be written (the error was logged) is lost; under `always` it cannot exist (a failed write
   * stopped the server), so only changes that `everysec`/`no` had not promised yet are lost.
   */
  shutdown(): string | null {
    this.abortRewrite();
    if (this.fd === null) return null;
    this.flush(true);
    if (this.buffer.pendingBytes > 0) this.logger.warning(`Exiting with ${this.buffer.pendingBytes} bytes of the AOF buffer unwritten: the disk keeps failing`);
    try {
      this.fs.fsync(this.fd);
    } catch (err) {
      this.logger.warning(`Fail to fsync the AOF file: ${strerror(fsErrorCode(err))}`);
    }
    return null;
  }

  /** Closes the file (tests; `appendonly no`). */
  close(): void {
    this.abortRewrite();
    if (this.fd === null) return;
    this.flush(true);
    try {
      this.fs.fsync(this.fd);
    } catch (err) {
      this.logger.warning(`Fail to fsync the AOF file: ${strerror(fsErrorCode(err))}`);
    }
    this.closeWhenIdle(this.fd);
    this.fd = null;
  }

  // -------------------------------------------------------------------------------------------------------
  // Rewrite

  get rewriteInProgress(): boolean {
    return this.job !== null;
  }

  /** The running rewrite's snapshot (INFO current_cow_size, current_save_keys_processed), else null. */
  get rewriteProgress(): { cowBytes: number; keysSaved: number } | null {
    return this.job?.snapshot ?? null;
  }

  /**
   * BGREWRITEAOF (bgrewriteaofCommand): the status or error line to reply. A rewrite already running: error. A
   * BGSAVE running: the rewrite is scheduled (the cron starts it after). Otherwise started, or an error when
   * step 1 failed (logged). With the log closed (`appendonly no`) it still writes a BASE, as Redis does.
   */
  bgrewriteaof(): string {
    if (this.job !== null) return REWRITE_IN_PROGRESS;
    if (this.otherChildActive()) {
      this.rewriteScheduled = true;
      return REWRITE_SCHEDULED;
    }
    return this.rewrite() ? REWRITE_STARTED : REWRITE_CANNOT_START;
  }

  /**
   * rewriteAppendOnlyFileBackground: step 1 of the module comment, then the BASE snapshot is opened and continued
   * on later turns (`schedule`), or written at once without it. Returns true when the rewrite started; false when
   * a rewrite or a BGSAVE is running, or when step 1 or opening the temp BASE failed (logged and counted; the old
   * files stay in charge, and INCR n+1 stays listed once its manifest is on disk).
   */
  rewrite(): boolean {
    if (this.job !== null || this.otherChildActive()) return false;
    const startedMs = this.clock.nowMs();
    let offManifest: AofManifest | null = null;
    if (this.fd !== null) {
      if (!this.openNextIncr()) return false;
    } else {
      offManifest = this.manifestWhileOff();
      if (offManifest === null) return false;
    }
    // stat_aof_rewrites counts rewrites that got past step 1, whatever their outcome (Redis 7.0).
    this.rewrites++;
    const seq = this.baseSeq + 1;
    const format = this.settings.useRdbPreamble ? 'rdb' : 'aof';
    const name = baseName(this.fileName, seq, format === 'rdb');
    const tempPath = this.path(`${TEMP_FILE_NAME_PREFIX}rewriteaof-bg-${name}`);
    let fd: FileHandle;
    try {
      fd = this.fs.open(tempPath, 'write');
    } catch (err) {
      if (fsErrorCode(err) === null) throw err;
      this.logger.warning(`Opening the temp file for AOF rewrite failed: ${strerror(fsErrorCode(err))}`);
      return this.rewriteFailed('open');
    }
    const timestampSec = format === 'aof' && this.settings.timestampEnabled ? this.nowSec() : null;
    const snapshot = this.openBase(format, (chunk) => void this.fs.write(fd, chunk), { timestampSec, observe: this.schedule !== null });
    const job: RewriteJob = { snapshot, fd, tempPath, name, seq, offManifest, startedMs };
    this.job = job;
    this.rewriteScheduled = false;
    this.logger.notice('Background append only file rewriting started');
    if (this.schedule === null) {
      snapshot.finishNow();
      this.finishRewrite(job);
    } else {
      this.schedule(() => this.rewriteStep(job));
    }
    return true;
  }

  /** Step 1: makes the current INCR durable, opens INCR n+1 and persists the manifest listing it. */
  private openNextIncr(): boolean {
    this.selectedDb = -1;
    this.flush(true);
    if (this.buffer.pendingBytes > 0 || this.fd === null) return this.rewriteFailed('the AOF buffer could not be written');
    // The current INCR stops being the last file once the manifest below lists INCR n+1, and only the last file
    // may be torn at load: it must be wholly durable first, whatever the fsync policy. (Found by the crash
    // simulator under `appendfsync no`: a torn INCR n followed by a surviving INCR n+1 loaded as a gap.)
    if (this.fsyncedIncrBytes !== this.incrSizeBytes) {
      try {
        this.fs.fsync(this.fd);
      } catch (err) {
        this.logger.warning(`Can't fsync the append-only file before rewriting: ${strerror(fsErrorCode(err))}`);
        return this.rewriteFailed('fsync');
      }
      this.fsyncedIncrBytes = this.incrSizeBytes;
    }
    const next = cloneManifest(this.manifest);
    const incr: AofFileInfo = { name: incrName(this.fileName, this.incrSeq + 1), seq: this.incrSeq + 1, type: 'i' };
    next.incrs.push(incr);
    let newFd: FileHandle;
    try {
      newFd = this.fs.open(this.path(incr.name), 'write');
    } catch (err) {
      this.logger.warning(`Can't open the append-only file ${incr.name}: ${strerror(fsErrorCode(err))}`);
      return this.rewriteFailed('open');
    }
    try {
      this.persistManifest(next);
    } catch {
      this.closeQuietly(newFd);
      return this.rewriteFailed('manifest');
    }
    this.logger.notice(`Creating AOF incr file ${incr.name} on background rewrite`);
    this.incrSeq++;
    this.retireFd(this.fd);
    this.fd = newFd;
    this.incrSizeBytes = 0;
    this.fsyncedIncrBytes = 0;
    this.manifest = next;
    return true;
  }

  /** With the log closed: the manifest on disk (null after logging a failure), the folder created. */
  private manifestWhileOff(): AofManifest | null {
    let onDisk: AofManifest;
    try {
      this.fs.mkdir(this.dirName);
      onDisk = this.readManifest === null ? cloneManifest(this.manifest) : this.readManifest();
    } catch (err) {
      this.logger.warning(`Can't read the AOF folder ${this.dirName}: ${(err as Error).message}`);
      this.rewriteFailed('manifest');
      return null;
    }
    this.baseSeq = onDisk.base?.seq ?? 0;
    this.incrSeq = onDisk.incrs.length === 0 ? this.incrSeq : onDisk.incrs[onDisk.incrs.length - 1]!.seq;
    return onDisk;
  }

  private rewriteStep(job: RewriteJob): void {
    if (this.job !== job) return;
    if (!job.snapshot.step({ keysMax: this.rewriteKeysPerStep, time: this.stepTime })) {
      this.schedule!(() => this.rewriteStep(job));
      return;
    }
    this.finishRewrite(job);
  }

  /**
   * backgroundRewriteDoneHandler: the BASE is complete (or failed). Steps 2 (fsync, rename) to 4. A failure before
   * the manifest names the new BASE leaves the old files in charge; INCR n+1 keeps receiving writes.
   */
  private finishRewrite(job: RewriteJob): void {
    this.job = null;
    this.lastCowBytes = job.snapshot.cowBytes;
    this.lastRewriteTimeSec = Math.floor((this.clock.nowMs() - job.startedMs) / 1000);
    if (!this.completeBaseFile(job)) {
      this.rewriteFailed('base');
      return;
    }
    // The name is used from here on: a manifest naming it may be on disk even if persisting one fails below.
    this.baseSeq = job.seq;
    const baseBytes = job.snapshot.bytesWritten;
    const switched = cloneManifest(job.offManifest ?? this.manifest);
    if (switched.base !== null) switched.history.unshift({ ...switched.base, type: 'h' });
    switched.base = { name: job.name, seq: job.seq, type: 'b' };
    // markRewrittenIncrAofAsHistory: every INCR but the one being written (none while the log is closed).
    const current = job.offManifest === null ? switched.incrs.pop() : undefined;
    for (const old of switched.incrs) switched.history.unshift({ ...old, type: 'h' });
    switched.incrs = current === undefined ? [] : [current];
    try {
      this.persistManifest(switched);
    } catch {
      // The new BASE stays: the failure may have come after the rename (an fsync of the directory), so the
      // manifest that names it may be the one on disk. Unlinking it could leave that manifest pointing at
      // nothing (found by the crash simulator). Unlisted, it is only a stray file.
      this.rewriteFailed('manifest');
      return;
    }
    this.manifest = switched;
    this.currentSizeBytes = baseBytes + (job.offManifest === null ? this.incrSizeBytes : 0);
    this.rewriteBaseSizeBytes = this.currentSizeBytes;
    this.logger.notice('Background AOF rewrite terminated with success');
    this.deleteHistory();
    this.rewritesConsecutiveFailures = 0;
    this.lastBgrewriteOk = true;
    this.logger.notice('Background AOF rewrite finished successfully');
  }

  /** Makes the temp BASE durable under its final name (fsync, close, rename, fsync dir); false after logging. */
  private completeBaseFile(job: RewriteJob): boolean {
    let failure = job.snapshot.failure;
    let open = true;
    if (failure === null) {
      try {
        this.fs.fsync(job.fd);
        open = false;
        this.fs.close(job.fd);
        this.fs.rename(job.tempPath, this.path(job.name));
        this.fs.fsyncDir(this.dirName);
        return true;
      } catch (err) {
        failure = err;
      }
    }
    if (fsErrorCode(failure) === null) throw failure;
    this.logger.warning(`Write error writing append only file on disk: ${strerror(fsErrorCode(failure))}`);
    if (open) this.closeQuietly(job.fd);
    this.unlinkQuietly(job.tempPath);
    return false;
  }

  /** killAppendOnlyChild: stops a running rewrite and removes its temp BASE (the folder is the one of step 1). */
  private abortRewrite(): void {
    const job = this.job;
    if (job === null) return;
    this.job = null;
    this.logger.notice('Killing running AOF rewrite');
    job.snapshot.abort();
    this.closeQuietly(job.fd);
    this.unlinkQuietly(job.tempPath);
    this.lastRewriteTimeSec = Math.floor((this.clock.nowMs() - job.startedMs) / 1000);
  }

  private unlinkQuietly(path: string): void {
    try {
      this.fs.unlink(path);
    } catch (err) {
      // Already gone, or the disk failed: an unlisted temp file is only garbage (overwritten by the next one).
      if (fsErrorCode(err) === null) throw err;
    }
  }

  private rewriteFailed(reason: string): boolean {
    this.logger.warning(`Background AOF rewrite failed: ${reason}`);
    this.rewritesConsecutiveFailures++;
    this.lastBgrewriteOk = false;
    return false;
  }

  /** aofRewriteLimited: after 3 consecutive failures, wait 1, 2, 4 ... 60 minutes between automatic attempts. */
  private limitDelayMinutes = 0;
  private limitUntilSec = 0;
  private rewriteLimited(): boolean {
    if (this.rewritesConsecutiveFailures < 3) {
      this.limitDelayMinutes = 0;
      this.limitUntilSec = 0;
      return false;
    }
    const now = this.nowSec();
    if (this.limitUntilSec !== 0) {
      if (now < this.limitUntilSec) return true;
      this.limitUntilSec = 0;
      return false;
    }
    this.limitDelayMinutes = Math.min(60, this.limitDelayMinutes === 0 ? 1 : this.limitDelayMinutes * 2);
    this.limitUntilSec = now + this.limitDelayMinutes * 60;
    this.logger.warning(`Background AOF rewrite has repeatedly failed and triggered the limit, will retry in ${this.limitDelayMinutes} minutes`);
    return true;
  }

  /**
   * An old INCR: fsync it off the loop, then close it (aof_background_fsync_and_close: a BIO_CLOSE_FILE job with
   * need_fsync, under every fsync policy). That fsync's outcome is ignored: it neither sets nor clears
   * aof_bio_fsync_status, and it is no pending AOF fsync (aof_pending_bio_fsync, the everysec postponement).
   */
  private retireFd(fd: FileHandle): void {
    if (this.queuedOn.has(fd)) this.closing.set(fd, true);
    else this.fs.fsyncAndCloseInBackground(fd);
  }

  /** Marks the current BASE history and returns the name of the next one (getNewBaseFileNameAndMarkPreAsHistory). */
  private nextBaseName(manifest: AofManifest): string {
    if (manifest.base !== null) manifest.history.unshift({ ...manifest.base, type: 'h' });
    const seq = ++this.baseSeq;
    const name = baseName(this.fileName, seq, this.settings.useRdbPreamble);
    manifest.base = { name, seq, type: 'b' };
    return name;
  }

  /** Writes BASE `name` durably and at once (temp file, fsync, rename, fsync dir); returns its size. Start-up only. */
  private writeBaseFile(name: string): number {
    let bytes = 0;
    const format = this.settings.useRdbPreamble ? 'rdb' : 'aof';
    const timestampSec = format === 'aof' && this.settings.timestampEnabled ? this.nowSec() : null;
    try {
      writeFileAtomic(
        this.fs,
        { path: this.path(name), tempPath: this.path(`${TEMP_FILE_NAME_PREFIX}rewriteaof-${name}`), dir: this.dirName },
        (write) => {
          const snapshot = this.openBase(format, write, { timestampSec, observe: false });
          snapshot.finishNow();
          if (snapshot.failure !== null) throw snapshot.failure;
          bytes = snapshot.bytesWritten;
        },
      );
    } catch (err) {
      const code = fsErrorCode(err);
      if (code === null) throw err;
      this.logger.warning(`Write error writing append only file on disk: ${strerror(code)}`);
      throw err;
    }
    return bytes;
  }

  /** persistAofManifest: atomic replace of the manifest. Logs and rethrows I/O errors. */
  private persistManifest(manifest: AofManifest): void {
    const name = manifestName(this.fileName);
    try {
      writeFileAtomic(
        this.fs,
        { path: this.path(name), tempPath: this.path(TEMP_FILE_NAME_PREFIX + name), dir: this.dirName },
        (write) => write(Buffer.from(serializeAofManifest(manifest), 'latin1')),
      );
    } catch (err) {
      const code = fsErrorCode(err);
      if (code === null) throw err;
      this.logger.warning(`Error trying to write the temporary AOF manifest file ${TEMP_FILE_NAME_PREFIX + name}: ${strerror(code)}`);
      throw err;
    }
  }

  /** aofDelHistoryFiles. */
  private deleteHistory(): void {
    if (this.settings.disableAutoGc || this.manifest.history.length === 0) return;
    const next = cloneManifest(this.manifest);
    for (const old of next.history) {
      this.logger.notice(`Removing the history file ${old.name} in the background`);
      try {
        this.fs.unlink(this.path(old.name));
      } catch (err) {
        if (fsErrorCode(err) === null) throw err;
      }
    }
    next.history = [];
    try {
      this.persistManifest(next);
      this.manifest = next;
    } catch {
      // The files are gone but still listed as history: history is never loaded, so this is harmless.
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // INFO

  /** INFO persistence aof_* lines, Redis 7.0 names and order (the caller places them after the rdb_* lines). */
  infoLines(enabled: boolean): string[] {
    const lines = [
      `aof_enabled:${enabled ? 1 : 0}`,
      `aof_rewrite_in_progress:${this.job === null ? 0 : 1}`,
      `aof_rewrite_scheduled:${this.rewriteScheduled ? 1 : 0}`,
      `aof_last_rewrite_time_sec:${this.lastRewriteTimeSec}`,
      `aof_current_rewrite_time_sec:${this.job === null ? -1 : Math.floor((this.clock.nowMs() - this.job.startedMs) / 1000)}`,
      `aof_last_bgrewrite_status:${this.lastBgrewriteOk ? 'ok' : 'err'}`,
      `aof_rewrites:${this.rewrites}`,
      `aof_rewrites_consecutive_failures:${this.rewritesConsecutiveFailures}`,
      `aof_last_write_status:${this.lastWriteOk ? 'ok' : 'err'}`,
      `aof_last_cow_size:${this.lastCowBytes}`,
      'module_fork_in_progress:0',
      'module_fork_last_cow_size:0',
    ];
    if (enabled) {
      lines.push(
        `aof_current_size:${this.currentSizeBytes}`,
        `aof_base_size:${this.rewriteBaseSizeBytes}`,
        `aof_pending_rewrite:${this.rewriteScheduled ? 1 : 0}`,
        `aof_buffer_length:${this.buffer.pendingBytes}`,
        `aof_pending_bio_fsync:${this.backgroundFsyncs}`,
        `aof_delayed_fsync:${this.delayedFsyncs}`,
      );
    }
    return lines;
  }
}

export function cloneManifest(m: AofManifest): AofManifest {
  return {
    base: m.base === null ? null : { ...m.base },
    history: m.history.map((f) => ({ ...f })),
    incrs: m.incrs.map((f) => ({ ...f })),
  };
}
