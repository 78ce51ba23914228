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
 * file it names is durable before it is named. A rewrite therefore goes:
 *
 *   1. flush the buffer to the current INCR, open INCR n+1, persist a manifest that lists it (old base and
 *      INCRs stay listed: a crash now loads old base + old INCRs + INCR n+1, which is the whole history);
 *   2. write the new BASE from the dataset as it was at step 1 (same turn: nothing ran in between) into a
 *      temp file, fsync it, rename it into place;
 *   3. persist a manifest naming the new BASE and INCR n+1 only, the old files as history;
 *   4. unlink the history files and persist the manifest without them.
 *
 * A crash between any two steps leaves a manifest whose files are all present and durable.
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
  encodeAofCommand,
  encodeTimestampAnnotation,
  serializeAofManifest,
  type AofFileInfo,
  type AofManifest,
} from '../../../formats/index.js';
import type { Bytes } from '../../../formats/index.js';
import { fsErrorCode, writeFileAtomic, type FileHandle, type PersistenceClock } from '../fs.js';
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

/** Writes a BASE: the dataset as RDB (`rdb`) or as commands (`aof`), through `write`. Synchronous. */
export type BaseWriter = (format: 'rdb' | 'aof', write: (chunk: Uint8Array) => void, timestampSec: number | null) => void;

export interface AppendOnlyFileOptions {
  fs: AofFileSystem;
  clock: PersistenceClock;
  logger: AofLogger;
  /** appenddirname, relative to the working directory. */
  dirName: string;
  /** appendfilename. */
  fileName: string;
  settings: AofSettings;
  writeBase: BaseWriter;
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
  private readonly writeBase: BaseWriter;
  private readonly fatal: (message: string) => void;
  private readonly bufferBytesMax: number;

  manifest: AofManifest = { base: null, history: [], incrs: [] };
  private baseSeq = 0;
  private incrSeq = 0;
  private fd: FileHandle | null = null;
  /** Pending bytes of the turn (latin1 string: one char per byte). */
  private buffer = '';
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
  private readonly closing = new Set<FileHandle>();

  constructor(options: AppendOnlyFileOptions) {
    this.fs = options.fs;
    this.clock = options.clock;
    this.logger = options.logger;
    this.dirName = options.dirName;
    this.fileName = options.fileName;
    this.settings = options.settings;
    this.writeBase = options.writeBase;
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
    return this.buffer.length;
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
          this.buffer += encodeTimestampAnnotation(now);
          this.timestampSec = now;
        }
      }
      if (command.dbIndex !== this.selectedDb) {
        this.buffer += encodeAofCommand(['SELECT', String(command.dbIndex)]);
        this.selectedDb = command.dbIndex;
      }
      this.buffer += encodeAofCommand(command.args);
    }
    if (this.buffer.length > this.bufferBytesMax) {
      this.fatal(`The AOF buffer reached ${this.buffer.length} bytes while writes to the AOF file keep failing. Exiting...`);
    }
  }

  /** Once per loop turn, before replies go out. */
  beforeSleep(): void {
    this.flush(false);
  }

  /** hz times a second: postponed writes, write-error retries, the everysec fsync, automatic rewrites. */
  cron(): void {
    if (this.fd === null) return;
    this.flush(false);
    if (this.rewriteScheduled) {
      this.rewriteScheduled = false;
      this.rewrite();
      return;
    }
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
    if (this.buffer.length === 0) {
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
    const data = Buffer.from(this.buffer, 'latin1');
    try {
      this.fs.write(this.fd, data);
    } catch (err) {
      this.writeError(err, now);
      return;
    }
    if (this.writeFailed) {
      this.logger.warning('AOF write error looks solved, Redis can write again.');
      this.writeFailed = false;
    }
    this.incrSizeBytes += data.length;
    this.currentSizeBytes += data.length;
    this.buffer = '';
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

  private backgroundFsync(fd: FileHandle, upToBytes: number): void {
    this.backgroundFsyncs++;
    this.fs.fsyncInBackground(fd, (err) => {
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
      if (this.closing.has(fd)) {
        this.closing.delete(fd);
        this.closeQuietly(fd);
      }
    });
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
    if (this.fd === null) return null;
    this.flush(true);
    if (this.buffer.length > 0) this.logger.warning(`Exiting with ${this.buffer.length} bytes of the AOF buffer unwritten: the disk keeps failing`);
    try {
      this.fs.fsync(this.fd);
    } catch (err) {
      this.logger.warning(`Fail to fsync the AOF file: ${strerror(fsErrorCode(err))}`);
    }
    return null;
  }

  /** Closes the file (tests; `appendonly no`). */
  close(): void {
    if (this.fd === null) return;
    this.flush(true);
    try {
      this.fs.fsync(this.fd);
    } catch (err) {
      this.logger.warning(`Fail to fsync the AOF file: ${strerror(fsErrorCode(err))}`);
    }
    if (this.backgroundFsyncs === 0) this.closeQuietly(this.fd);
    else this.closing.add(this.fd);
    this.fd = null;
  }

  // -------------------------------------------------------------------------------------------------------
  // Rewrite

  /**
   * BGREWRITEAOF: steps 1-4 of the module comment. Returns the status line Redis replies with, or an error line
   * (leading '-'). The BASE is written in this turn (no fork): the dataset cannot change underneath it.
   */
  bgrewriteaof(): string {
    if (this.fd === null) {
      // appendonly no: Redis still writes a base; we need the log open to have a manifest to switch.
      return '-ERR Background append only file rewriting failed: appendonly is off';
    }
    const ok = this.rewrite();
    return ok ? '+Background append only file rewriting started' : '-ERR Background append only file rewriting failed';
  }

  /** Runs one rewrite; true on success. On failure the old files stay in charge and the error is logged. */
  rewrite(): boolean {
    const startedMs = this.clock.nowMs();
    this.logger.notice('Background append only file rewriting started');
    this.selectedDb = -1;
    this.flush(true);
    if (this.buffer.length > 0 || this.fd === null) return this.rewriteFailed('the AOF buffer could not be written');
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
    // Step 1: the new INCR, listed before anything else changes.
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
    // Steps 2 and 3: the BASE, then the manifest that names it.
    const switched = cloneManifest(this.manifest);
    const name = this.nextBaseName(switched);
    let baseBytes: number;
    try {
      baseBytes = this.writeBaseFile(name);
    } catch {
      this.baseSeq--;
      return this.rewriteFailed('base');
    }
    const current = switched.incrs.pop()!;
    for (const old of switched.incrs) switched.history.unshift({ ...old, type: 'h' });
    switched.incrs = [current];
    try {
      this.persistManifest(switched);
    } catch {
      // The new BASE stays: the failure may have come after the rename (an fsync of the directory), so the
      // manifest that names it may be the one on disk. Unlinking it could leave that manifest pointing at
      // nothing (found by the crash simulator). Unlisted, it is only a stray file.
      return this.rewriteFailed('manifest');
    }
    this.manifest = switched;
    this.currentSizeBytes = baseBytes + this.incrSizeBytes;
    this.rewriteBaseSizeBytes = this.currentSizeBytes;
    this.logger.notice('Background AOF rewrite terminated with success');
    // Step 4.
    this.deleteHistory();
    this.rewrites++;
    this.rewritesConsecutiveFailures = 0;
    this.lastBgrewriteOk = true;
    this.lastRewriteTimeSec = Math.floor((this.clock.nowMs() - startedMs) / 1000);
    this.logger.notice('Background AOF rewrite finished successfully');
    return true;
  }

  /**
   * BGREWRITEAOF while `appendonly no` (Redis still rewrites): a new BASE of the dataset replaces what `onDisk`
   * lists; every old file becomes history and is removed. Nothing is opened for appending.
   */
  rewriteWhileOff(onDisk: AofManifest): boolean {
    if (this.fd !== null) return this.rewrite();
    const startedMs = this.clock.nowMs();
    this.logger.notice('Background append only file rewriting started');
    try {
      this.fs.mkdir(this.dirName);
    } catch (err) {
      if (fsErrorCode(err) === null) throw err;
      return this.rewriteFailed('mkdir');
    }
    const next = cloneManifest(onDisk);
    this.baseSeq = next.base?.seq ?? 0;
    this.incrSeq = next.incrs.length === 0 ? this.incrSeq : next.incrs[next.incrs.length - 1]!.seq;
    const name = this.nextBaseName(next);
    let baseBytes: number;
    try {
      baseBytes = this.writeBaseFile(name);
    } catch {
      this.baseSeq--;
      return this.rewriteFailed('base');
    }
    for (const old of next.incrs) next.history.unshift({ ...old, type: 'h' });
    next.incrs = [];
    try {
      this.persistManifest(next);
    } catch {
      this.baseSeq--;
      return this.rewriteFailed('manifest');
    }
    this.manifest = next;
    this.currentSizeBytes = baseBytes;
    this.rewriteBaseSizeBytes = baseBytes;
    this.logger.notice('Background AOF rewrite terminated with success');
    this.deleteHistory();
    this.rewrites++;
    this.rewritesConsecutiveFailures = 0;
    this.lastBgrewriteOk = true;
    this.lastRewriteTimeSec = Math.floor((this.clock.nowMs() - startedMs) / 1000);
    this.logger.notice('Background AOF rewrite finished successfully');
    return true;
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

  /** An old INCR: fsync it off the loop, then close it (aof_background_fsync_and_close). */
  private retireFd(fd: FileHandle): void {
    if (this.settings.fsync === 'no') {
      if (this.backgroundFsyncs === 0) this.closeQuietly(fd);
      else this.closing.add(fd);
      return;
    }
    this.closing.add(fd);
    this.backgroundFsync(fd, 0);
  }

  /** Marks the current BASE history and returns the name of the next one (getNewBaseFileNameAndMarkPreAsHistory). */
  private nextBaseName(manifest: AofManifest): string {
    if (manifest.base !== null) manifest.history.unshift({ ...manifest.base, type: 'h' });
    const seq = ++this.baseSeq;
    const name = baseName(this.fileName, seq, this.settings.useRdbPreamble);
    manifest.base = { name, seq, type: 'b' };
    return name;
  }

  /** Writes BASE `name` durably (temp file, fsync, rename, fsync dir); returns its size. */
  private writeBaseFile(name: string): number {
    let bytes = 0;
    const format = this.settings.useRdbPreamble ? 'rdb' : 'aof';
    const timestampSec = this.settings.timestampEnabled ? this.nowSec() : null;
    try {
      writeFileAtomic(
        this.fs,
        { path: this.path(name), tempPath: this.path(`${TEMP_FILE_NAME_PREFIX}rewriteaof-${name}`), dir: this.dirName },
        (write) => {
          this.writeBase(format, (chunk) => {
            bytes += chunk.length;
            write(chunk);
          }, timestampSec);
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
      'aof_rewrite_in_progress:0',
      `aof_rewrite_scheduled:${this.rewriteScheduled ? 1 : 0}`,
      `aof_last_rewrite_time_sec:${this.lastRewriteTimeSec}`,
      'aof_current_rewrite_time_sec:-1',
      `aof_last_bgrewrite_status:${this.lastBgrewriteOk ? 'ok' : 'err'}`,
      `aof_rewrites:${this.rewrites}`,
      `aof_rewrites_consecutive_failures:${this.rewritesConsecutiveFailures}`,
      `aof_last_write_status:${this.lastWriteOk ? 'ok' : 'err'}`,
      'aof_last_cow_size:0',
      'module_fork_in_progress:0',
      'module_fork_last_cow_size:0',
    ];
    if (enabled) {
      lines.push(
        `aof_current_size:${this.currentSizeBytes}`,
        `aof_base_size:${this.rewriteBaseSizeBytes}`,
        `aof_pending_rewrite:${this.rewriteScheduled ? 1 : 0}`,
        `aof_buffer_length:${this.buffer.length}`,
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
