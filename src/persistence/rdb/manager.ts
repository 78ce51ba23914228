/**
 * RdbPersistence: the RDB side of a running server — start-up load, SAVE, fork-less BGSAVE, the `save`
 * schedule, the final save at shutdown, DEBUG RELOAD, and the INFO persistence fields — as Redis 7.0's rdb.c and
 * serverCron do them, with Redis's log lines.
 *
 * Everything it touches comes through `RdbPersistenceHost` (files through the FileSystem seam, time through the
 * PersistenceClock, the continuation of a BGSAVE through `schedule`), so the simulator can drive it.
 *
 * Save failure policy (redis `stop-writes-on-bgsave-error`): a failed SAVE/BGSAVE sets rdb_last_bgsave_status
 * to err; while it is err and the option is yes, `broken()` is true and the server answers writes with MISCONF.
 * The next successful save clears it. The error is logged once per failed save.
 */
import type { Keyspace } from '../../keyspace/index.js';
import { fsErrorCode, writeFileAtomic, type FileHandle, type FileSystem, type PersistenceClock } from '../fs.js';
import { loadRdbFile, RdbLoadError, type RdbLoadProgress, type RdbLoadResult } from './load.js';
import { saveRdb } from './save.js';
import { ForklessSnapshot } from './snapshot.js';
import { snapshotStepTime, type SnapshotStepTime } from '../snapshot.js';

export interface RdbPersistenceHost {
  keyspace: Keyspace;
  fs: FileSystem;
  clock: PersistenceClock;
  /** Absolute data directory. */
  dir(): string;
  /** Current value of a config directive (dbfilename, save, rdbcompression, rdbchecksum, stop-writes-on-bgsave-error). */
  setting(name: string): string;
  /** Redis's server.dirty. */
  getDirty(): number;
  setDirty(n: number): void;
  log: { notice(message: string): void; warning(message: string): void };
  /** Runs `work` on a later event-loop turn (setImmediate in the server). */
  schedule(work: () => void): void;
  usedMemBytes(): number;
  pid: number;
  setLoading(loading: boolean): void;
  /**
   * The other background job (an AOF rewrite) while it runs, else null. It holds the keyspace's snapshot, so a
   * BGSAVE waits for it (as Redis with another child active), and INFO's current_* fields report it.
   */
  otherChild?(): { cowBytes: number; keysSaved: number } | null;
}

/**
 * Keys serialized per BGSAVE step (one step per event-loop turn) at most. The step's real bound is its time
 * budget (SNAPSHOT_STEP_BUDGET_US of ../snapshot.ts); this cap only stops a step whose clock does not move.
 */
export const BGSAVE_KEYS_PER_STEP = 100_000;

interface BgsaveState {
  snapshot: ForklessSnapshot;
  fd: FileHandle;
  tempPath: string;
  startedMs: number;
  dirtyAtStart: number;
}

export class RdbPersistence {
  lastSaveMs: number;
  lastBgsaveOk = true;
  lastBgsaveSec = -1;
  saves = 0;
  lastCowBytes = 0;
  lastLoadKeysLoaded = 0;
  lastLoadKeysExpired = 0;
  private lastSaveAttemptMs = 0;
  private bgsave: BgsaveState | null = null;
  private bgsaveScheduled = false;
  /** Keys serialized per BGSAVE step at most (tests and the simulator lower it to stretch a save over more turns). */
  keysPerStep = BGSAVE_KEYS_PER_STEP;
  loadingProgress: (RdbLoadProgress & { startedMs: number; usedMem: number }) | null = null;

  private readonly stepTime: SnapshotStepTime;

  constructor(readonly host: RdbPersistenceHost) {
    this.lastSaveMs = host.clock.nowMs();
    this.stepTime = snapshotStepTime(host.clock);
  }

  private get path(): string {
    return `${this.host.dir()}/${this.host.setting('dbfilename')}`;
  }

  private saveOptions(): { nowMs: number; compression: boolean; checksum: boolean; usedMemBytes: number } {
    return {
      nowMs: this.host.clock.nowMs(),
      compression: this.host.setting('rdbcompression') === 'yes',
      checksum: this.host.setting('rdbchecksum') === 'yes',
      usedMemBytes: this.host.usedMemBytes(),
    };
  }

  get bgsaveInProgress(): boolean {
    return this.bgsave !== null;
  }

  /** Save points from the `save` directive: [seconds, changes] pairs. */
  savePoints(): [number, number][] {
    const parts = this.host.setting('save').split(/\s+/).filter((p) => p !== '').map(Number);
    const out: [number, number][] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) out.push([parts[i]!, parts[i + 1]!]);
    return out;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Load

  /**
   * Start-up load of dir/dbfilename (redis loadDataFromDisk). Absent file: nothing to do. Returns the result,
   * or throws RdbLoadError (the server must refuse to start, as Redis exits).
   */
  loadAtStartup(): RdbLoadResult | null {
    if (this.host.fs.stat(this.path) === null) return null;
    const started = this.host.clock.monotonicUs();
    const result = this.load();
    this.host.log.notice(`DB loaded from disk: ${((this.host.clock.monotonicUs() - started) / 1e6).toFixed(3)} seconds`);
    return result;
  }

  /** Loads dir/dbfilename into the (empty) keyspace, logging as rdbLoad does. */
  load(): RdbLoadResult {
    const host = this.host;
    const nowMs = host.clock.nowMs();
    this.loadingProgress = { bytesRead: 0, totalBytes: host.fs.stat(this.path)?.sizeBytes ?? 0, keysLoaded: 0, startedMs: nowMs, usedMem: 0 };
    host.setLoading(true);
    try {
      const result = loadRdbFile(host.fs, this.path, host.keyspace, {
        config: host.keyspace.config,
        nowMs,
        dropExpired: true,
        onProgress: (p) => {
          if (this.loadingProgress !== null) Object.assign(this.loadingProgress, p);
        },
      });
      const ver = result.aux.get('redis-ver');
      if (ver !== undefined) host.log.notice(`Loading RDB produced by version ${ver}`);
      const ctime = result.aux.get('ctime');
      if (ctime !== undefined) host.log.notice(`RDB age ${Math.floor(nowMs / 1000) - Number(ctime)} seconds`);
      const mem = result.aux.get('used-mem');
      if (mem !== undefined) host.log.notice(`RDB memory usage when created ${(Number(mem) / (1024 * 1024)).toFixed(2)} Mb`);
      if (result.fieldTtlsDropped > 0) {
        host.log.warning(`${result.fieldTtlsDropped} hash(es) had field TTLs, which Redis 7.0 cannot represent: fields kept without TTL`);
      }
      if (result.functionsSkipped > 0) host.log.warning(`${result.functionsSkipped} function library(ies) skipped: scripting is not supported`);
      const empty = result.emptyKeysSkipped > 0 ? `, empty keys skipped: ${result.emptyKeysSkipped}` : '';
      host.log.notice(`Done loading RDB, keys loaded: ${result.keysLoaded}, keys expired: ${result.keysExpired}${empty}.`);
      this.lastLoadKeysLoaded = result.keysLoaded;
      this.lastLoadKeysExpired = result.keysExpired;
      return result;
    } finally {
      host.setLoading(false);
      this.loadingProgress = null;
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Save

  /** SAVE (also cron fallback, shutdown, DEBUG RELOAD). Returns an error line, or null. */
  save(): string | null {
    if (this.bgsave !== null) return 'ERR Background save already in progress';
    return this.saveNow() ? null : 'ERR';
  }

  /** `counted`: false for FLUSHALL's save, which Redis 7.0 leaves out of rdb_saves. */
  private saveNow(counted = true): boolean {
    const host = this.host;
    const dir = host.dir();
    const tempPath = `${dir}/temp-${host.pid}.rdb`;
    const dirtyAtStart = host.getDirty();
    this.lastSaveAttemptMs = host.clock.nowMs();
    try {
      writeFileAtomic(host.fs, { path: this.path, tempPath, dir }, (write) => {
        saveRdb(host.keyspace, { write }, this.saveOptions());
      });
    } catch (err) {
      if (fsErrorCode(err) === null) throw err;
      host.log.warning(`Write error saving DB on disk: ${(err as Error).message}`);
      this.lastBgsaveOk = false;
      return false;
    }
    host.log.notice('DB saved on disk');
    host.setDirty(host.getDirty() - dirtyAtStart);
    this.lastSaveMs = host.clock.nowMs();
    this.lastBgsaveOk = true;
    if (counted) this.saves++;
    return true;
  }

  private otherChild(): { cowBytes: number; keysSaved: number } | null {
    return this.host.otherChild?.() ?? null;
  }

  /**
   * BGSAVE [SCHEDULE] (bgsaveCommand): the status or error line to reply. A BGSAVE running: error. An AOF rewrite
   * running: scheduled with SCHEDULE (the cron starts it after), else an error. Otherwise started, or `-ERR`.
   */
  bgsaveCommand(schedule: boolean): string {
    if (this.bgsave !== null) return '-ERR Background save already in progress';
    if (this.otherChild() !== null) {
      if (!schedule) {
        return "-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.";
      }
      this.bgsaveScheduled = true;
      return '+Background saving scheduled';
    }
    return this.startBgsave() ? '+Background saving started' : '-ERR';
  }

  /** Starts a fork-less BGSAVE; false when the temp file could not be opened or another job holds the snapshot. */
  startBgsave(): boolean {
    const host = this.host;
    if (this.bgsave !== null || this.otherChild() !== null) return false;
    const dir = host.dir();
    const tempPath = `${dir}/temp-${host.pid}.rdb`;
    this.lastSaveAttemptMs = host.clock.nowMs();
    let fd: FileHandle;
    try {
      fd = host.fs.open(tempPath, 'write');
    } catch (err) {
      if (fsErrorCode(err) === null) throw err;
      host.log.warning(`Failed opening the temp RDB file ${tempPath} (in server root dir ${dir}) for saving: ${(err as Error).message}`);
      this.lastBgsaveOk = false;
      return false;
    }
    const snapshot = new ForklessSnapshot(host.keyspace, { write: (chunk) => void host.fs.write(fd, chunk) }, this.saveOptions());
    this.bgsave = { snapshot, fd, tempPath, startedMs: host.clock.nowMs(), dirtyAtStart: host.getDirty() };
    host.log.notice(`Background saving started by pid ${host.pid}`);
    host.schedule(() => this.bgsaveStep());
    return true;
  }

  private bgsaveStep(): void {
    const state = this.bgsave;
    if (state === null) return;
    if (!state.snapshot.step({ keysMax: this.keysPerStep, time: this.stepTime })) {
      this.host.schedule(() => this.bgsaveStep());
      return;
    }
    this.finishBgsave(state);
  }

  /** Completes the file (fsync, rename, fsync dir) and records the outcome (backgroundSaveDoneHandler). */
  private finishBgsave(state: BgsaveState): void {
    const host = this.host;
    this.bgsave = null;
    this.lastBgsaveSec = Math.round((host.clock.nowMs() - state.startedMs) / 1000);
    this.lastCowBytes = state.snapshot.cowBytes;
    let failure = state.snapshot.failure;
    if (failure === null) {
      try {
        host.fs.fsync(state.fd);
        host.fs.close(state.fd);
        host.fs.rename(state.tempPath, this.path);
        host.fs.fsyncDir(host.dir());
      } catch (err) {
        if (fsErrorCode(err) === null) throw err;
        failure = err;
      }
    }
    if (failure !== null) {
      try {
        host.fs.close(state.fd);
      } catch {
        // Already closed, or the close fails as the write did; the error to report is the write's.
      }
      try {
        host.fs.unlink(state.tempPath);
      } catch {
        // Nothing to remove.
      }
      host.log.warning(`Write error saving DB on disk: ${(failure as Error).message}`);
      host.log.warning('Background saving error');
      this.lastBgsaveOk = false;
      return;
    }
    host.log.notice('DB saved on disk');
    host.log.notice('Background saving terminated with success');
    host.setDirty(host.getDirty() - state.dirtyAtStart);
    this.lastSaveMs = host.clock.nowMs();
    this.lastBgsaveOk = true;
    this.saves++;
  }

  /** Finishes a running BGSAVE synchronously (shutdown, DEBUG RELOAD). */
  private completeBgsaveNow(): void {
    const state = this.bgsave;
    if (state === null) return;
    state.snapshot.finishNow();
    this.finishBgsave(state);
  }

  /** hz times a second: a scheduled BGSAVE, the save points (serverCron); nothing while a background job runs. */
  cron(): void {
    if (this.bgsave !== null || this.otherChild() !== null) return;
    const nowMs = this.host.clock.nowMs();
    const dirty = this.host.getDirty();
    // CONFIG_BGSAVE_RETRY_DELAY: after a failure, retry only every 5 seconds.
    const retryOk = this.lastBgsaveOk || nowMs - this.lastSaveAttemptMs > 5000;
    if (this.bgsaveScheduled && retryOk) {
      if (this.startBgsave()) this.bgsaveScheduled = false;
      return;
    }
    for (const [seconds, changes] of this.savePoints()) {
      if (dirty >= changes && nowMs - this.lastSaveMs > seconds * 1000 && retryOk) {
        this.host.log.notice(`${changes} changes in ${seconds} seconds. Saving...`);
        this.startBgsave();
        return;
      }
    }
  }

  /**
   * FLUSHALL (redis flushAllDataAndResetRDB): a running BGSAVE is dropped first (its snapshot would otherwise
   * serialize the rest of the old dataset at the bulk change), then with save points the empty dataset is saved
   * at once: rdb_changes_since_last_save and rdb_last_save_time reset, rdb_saves unchanged, as Redis 7.0 reports.
   */
  flushAll(empty: () => void): void {
    this.killBgsave();
    empty();
    if (this.savePoints().length > 0) this.saveNow(false);
  }

  /** Drops a running BGSAVE (redis killRDBChild): its snapshot detaches and its temp file goes. */
  private killBgsave(): void {
    if (this.bgsave === null) return;
    this.bgsave.snapshot.abort();
    try {
      this.host.fs.close(this.bgsave.fd);
      this.host.fs.unlink(this.bgsave.tempPath);
    } catch {
      // Best effort: the temp file is garbage either way.
    }
    this.bgsave = null;
  }

  /** SHUTDOWN / SIGTERM: save when asked, or when save points exist and `save` is not false. */
  shutdown(save: boolean | null): string | null {
    if (this.bgsave !== null) this.host.log.warning('There is a child saving an .rdb. Killing it!');
    this.killBgsave();
    const wanted = save === true || (save === null && this.savePoints().length > 0);
    if (!wanted) return null;
    this.host.log.notice('Saving the final RDB snapshot before exiting.');
    if (!this.saveNow()) {
      this.host.log.warning('Error trying to save the DB, can\'t exit.');
      return 'ERR Errors trying to SHUTDOWN. Check logs.';
    }
    return null;
  }

  /** DEBUG RELOAD: save, empty the keyspace, load the file back. Error line or null. */
  debugReload(): string | null {
    this.completeBgsaveNow();
    if (!this.saveNow()) return 'ERR';
    this.host.keyspace.clear();
    try {
      this.load();
    } catch (err) {
      if (!(err instanceof RdbLoadError)) throw err;
      this.host.log.warning(`Error loading the RDB dump: ${err.message}`);
      return 'ERR Error trying to load the RDB dump, check server logs.';
    }
    this.host.log.notice('DB reloaded by DEBUG RELOAD');
    return null;
  }

  /** True when writes must get MISCONF. */
  broken(): boolean {
    return !this.lastBgsaveOk && this.host.setting('stop-writes-on-bgsave-error') === 'yes' && this.savePoints().length > 0;
  }

  /** INFO persistence lines after `loading:`, up to (not including) the aof_ fields, in Redis 7.0's order. */
  infoLines(): string[] {
    const nowMs = this.host.clock.nowMs();
    const bg = this.bgsave;
    const child = bg?.snapshot ?? this.otherChild();
    return [
      'async_loading:0',
      'current_cow_peak:0',
      `current_cow_size:${child?.cowBytes ?? 0}`,
      'current_cow_size_age:0',
      'current_fork_perc:0.00',
      `current_save_keys_processed:${child?.keysSaved ?? 0}`,
      `current_save_keys_total:${child === null ? 0 : this.host.keyspace.size}`,
      `rdb_changes_since_last_save:${this.host.getDirty()}`,
      `rdb_bgsave_in_progress:${bg === null ? 0 : 1}`,
      `rdb_last_save_time:${Math.floor(this.lastSaveMs / 1000)}`,
      `rdb_last_bgsave_status:${this.lastBgsaveOk ? 'ok' : 'err'}`,
      `rdb_last_bgsave_time_sec:${this.lastBgsaveSec}`,
      `rdb_current_bgsave_time_sec:${bg === null ? -1 : Math.round((nowMs - bg.startedMs) / 1000)}`,
      `rdb_saves:${this.saves}`,
      `rdb_last_cow_size:${this.lastCowBytes}`,
      `rdb_last_load_keys_expired:${this.lastLoadKeysExpired}`,
      `rdb_last_load_keys_loaded:${this.lastLoadKeysLoaded}`,
    ];
  }

  /** The loading_* lines Redis appends while loading (empty otherwise). */
  loadingLines(): string[] {
    const p = this.loadingProgress;
    if (p === null) return [];
    const elapsedSec = Math.max(0, (this.host.clock.nowMs() - p.startedMs) / 1000);
    const perc = p.totalBytes === 0 ? 0 : (p.bytesRead / p.totalBytes) * 100;
    const eta = p.bytesRead === 0 ? 1 : Math.round(((p.totalBytes - p.bytesRead) / (p.bytesRead / Math.max(elapsedSec, 0.001))));
    return [
      `loading_start_time:${Math.floor(p.startedMs / 1000)}`,
      `loading_total_bytes:${p.totalBytes}`,
      `loading_rdb_used_mem:${p.usedMem}`,
      `loading_loaded_bytes:${p.bytesRead}`,
      `loading_loaded_perc:${perc.toFixed(2)}`,
      `loading_eta_seconds:${eta}`,
    ];
  }
}


