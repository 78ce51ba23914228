/**
 * SimFileSystem: an in-memory disk with a page-cache model, for crash-recovery fuzzing (see SPEC.md, "Crash
 * simulation"). It implements the persistence FileSystem seam, so the real engine runs on it unchanged.
 *
 * The model (after SQLite's crash VFS, ALICE's abstract persistence model and TigerBeetle's storage fault model):
 * - Every file has a durable image and a list of operations (writes, truncations) done since its last fsync.
 *   Reads see everything (the page cache); a crash keeps, per file, some prefix of those operations, and may tear
 *   the first operation it drops at any byte or 512-byte boundary. Files are independent, so unsynced writes to
 *   different files land in any order.
 * - Every directory has a durable entry table and a log of entry operations (create, rename, unlink) since its last
 *   fsync. A crash keeps some prefix of that log: a created or renamed file is durable only after an fsync of its
 *   directory, exactly the step ALICE found applications forget.
 * - Faults: a chosen operation, or every operation of one kind on matching paths within a window of operations (a
 *   disk full for a while), can fail with EIO (fsync; the page cache keeps the data, as Linux does, but nothing
 *   becomes durable) or ENOSPC (write; nothing written). `crashAtOp` throws `SimulatedCrash` when the n-th I/O
 *   operation starts, so a campaign can crash at every persistence point. `flipSyncedBit` / `flipSyncedBitOf` corrupt durable
 *   bytes to prove checksums catch silent corruption.
 * All choices come from the caller's seeded random source: one seed replays one crash exactly.
 */
import { posix } from 'node:path';
import { FsError, type FileHandle, type FileStat, type OpenMode } from '../persistence/index.js';
import type { AofFileSystem } from '../persistence/aof/index.js';

/** Thrown from inside an I/O operation when the simulated machine loses power. */
export class SimulatedCrash extends Error {
  readonly code = 'SIMULATED_CRASH';
  constructor(readonly opIndex: number) {
    super(`simulated power loss at I/O operation ${opIndex}`);
  }
}

type FileOp = { kind: 'write'; offset: number; bytes: Uint8Array } | { kind: 'truncate'; sizeBytes: number };
type DirOp = { kind: 'link'; name: string; inode: number } | { kind: 'unlink'; name: string };

interface Inode {
  durable: Uint8Array;
  current: Uint8Array;
  currentBytes: number;
  pending: FileOp[];
  mtimeMs: number;
}

interface Directory {
  durable: Map<string, number>;
  current: Map<string, number>;
  pending: DirOp[];
}

interface OpenFile {
  inode: number;
  path: string;
  mode: OpenMode;
}

export type FaultKind = 'eio-fsync' | 'enospc-write' | 'eio-write';

/** The operation each fault kind fails. */
const FAULT_OPERATION: Record<FaultKind, string> = { 'eio-fsync': 'fsync', 'enospc-write': 'write', 'eio-write': 'write' };

/**
 * A disk failing for a while: every operation of the fault's kind (a write for ENOSPC, an fsync for EIO) whose
 * index is in [fromOp, untilOp) and whose path contains `pathIncludes` fails. Later operations succeed again.
 */
export interface FaultWindow {
  kind: FaultKind;
  fromOp: number;
  untilOp: number;
  pathIncludes: string;
}

export interface CrashOptions {
  /** Probability that a dropped write is torn (partly kept) rather than lost whole. */
  tearProbability?: number;
}

export class SimFileSystem implements AofFileSystem {
  private readonly inodes = new Map<number, Inode>();
  private readonly dirs = new Map<string, Directory>();
  private readonly handles = new Map<FileHandle, OpenFile>();
  private nextInode = 1;
  private nextHandle = 3;
  /** I/O operations started so far (open, write, read, fsync, fsyncDir, rename, unlink, ...). */
  opCount = 0;
  /** When set, the operation with this index throws SimulatedCrash instead of running. */
  crashAtOp = -1;
  /** Faults to inject: operation index -> kind (applied when that operation is of the kind's operation). */
  readonly faults = new Map<number, FaultKind>();
  /** Faults lasting a span of operations. */
  readonly faultWindows: FaultWindow[] = [];
  /** Operations failed by an injected fault so far. */
  faultsHit = 0;
  /** True once the crash point was reached: the machine is off, whatever the code did with the exception. */
  get poweredOff(): boolean {
    return this.crashAtOp >= 0 && this.opCount > this.crashAtOp;
  }

  /** Deliberately broken disk: fsync succeeds and makes nothing durable (to prove the checker catches it). */
  lyingFsync = false;
  /** Clock for mtimes; the simulator sets it. */
  nowMs = 0;
  /** Operation log (for replay reports): `opIndex kind path`. */
  readonly trace: string[] = [];
  traceEnabled = false;

  constructor() {
    this.dirs.set('/', { durable: new Map(), current: new Map(), pending: [] });
  }

  // -------------------------------------------------------------------------------------------------------
  // The FileSystem seam

  open(path: string, mode: OpenMode): FileHandle {
    this.step('open', path);
    const { dir, name } = this.locate(path);
    let inode = dir.current.get(name);
    if (inode === undefined) {
      if (mode === 'read') throw new FsError('ENOENT', 'open', path);
      inode = this.nextInode++;
      this.inodes.set(inode, { durable: new Uint8Array(0), current: new Uint8Array(64), currentBytes: 0, pending: [], mtimeMs: this.nowMs });
      dir.current.set(name, inode);
      dir.pending.push({ kind: 'link', name, inode });
    } else if (mode === 'write') {
      const file = this.inode(inode);
      file.currentBytes = 0;
      file.pending.push({ kind: 'truncate', sizeBytes: 0 });
    }
    const fd = this.nextHandle++;
    this.handles.set(fd, { inode, path: this.normalize(path), mode });
    return fd;
  }

  write(fd: FileHandle, data: Uint8Array): number {
    const handle = this.handle(fd, 'write');
    const fault = this.step('write', handle.path);
    if (fault === 'enospc-write') throw new FsError('ENOSPC', 'write', handle.path);
    if (fault === 'eio-write') throw new FsError('EIO', 'write', handle.path);
    const file = this.inode(handle.inode);
    const offset = file.currentBytes;
    this.ensure(file, offset + data.length);
    file.current.set(data, offset);
    file.currentBytes = offset + data.length;
    file.pending.push({ kind: 'write', offset, bytes: data.slice() });
    file.mtimeMs = this.nowMs;
    return data.length;
  }

  read(fd: FileHandle, target: Uint8Array, offset: number, length: number, position: number): number {
    const handle = this.handle(fd, 'read');
    this.step('read', handle.path);
    const file = this.inode(handle.inode);
    const n = Math.max(0, Math.min(length, file.currentBytes - position));
    target.set(file.current.subarray(position, position + n), offset);
    return n;
  }

  fsync(fd: FileHandle): void {
    const handle = this.handle(fd, 'fsync');
    const fault = this.step('fsync', handle.path);
    if (fault === 'eio-fsync') throw new FsError('EIO', 'fsync', handle.path);
    if (this.lyingFsync) return;
    const file = this.inode(handle.inode);
    file.durable = file.current.slice(0, file.currentBytes);
    file.pending = [];
  }

  close(fd: FileHandle): void {
    this.handle(fd, 'close');
    this.handles.delete(fd);
  }

  size(fd: FileHandle): number {
    return this.inode(this.handle(fd, 'size').inode).currentBytes;
  }

  fsyncDir(path: string): void {
    this.step('fsyncDir', path);
    const dir = this.dirs.get(this.normalize(path));
    if (dir === undefined) throw new FsError('ENOENT', 'fsyncDir', path);
    if (this.lyingFsync) return;
    dir.durable = new Map(dir.current);
    dir.pending = [];
  }

  rename(from: string, to: string): void {
    this.step('rename', `${from} -> ${to}`);
    const source = this.locate(from);
    const target = this.locate(to);
    const inode = source.dir.current.get(source.name);
    if (inode === undefined) throw new FsError('ENOENT', 'rename', from);
    source.dir.current.delete(source.name);
    source.dir.pending.push({ kind: 'unlink', name: source.name });
    target.dir.current.set(target.name, inode);
    target.dir.pending.push({ kind: 'link', name: target.name, inode });
  }

  unlink(path: string): void {
    this.step('unlink', path);
    const { dir, name } = this.locate(path);
    if (!dir.current.has(name)) throw new FsError('ENOENT', 'unlink', path);
    dir.current.delete(name);
    dir.pending.push({ kind: 'unlink', name });
  }

  list(path: string): string[] {
    this.step('list', path);
    const dir = this.dirs.get(this.normalize(path));
    if (dir === undefined) throw new FsError('ENOENT', 'scandir', path);
    const names = [...dir.current.keys()];
    for (const other of this.dirs.keys()) {
      if (other !== '/' && posix.dirname(other) === this.normalize(path)) names.push(posix.basename(other));
    }
    return names.sort();
  }

  stat(path: string): FileStat | null {
    const normalized = this.normalize(path);
    if (this.dirs.has(normalized)) return { sizeBytes: 0, isDirectory: true, mtimeMs: 0 };
    const parent = this.dirs.get(posix.dirname(normalized));
    const inode = parent?.current.get(posix.basename(normalized));
    if (inode === undefined) return null;
    const file = this.inode(inode);
    return { sizeBytes: file.currentBytes, isDirectory: false, mtimeMs: file.mtimeMs };
  }

  /** Directories are created durably (the simulator models file and entry loss, not directory loss). */
  mkdir(path: string): void {
    let current = this.normalize(path);
    const missing: string[] = [];
    while (!this.dirs.has(current)) {
      missing.push(current);
      current = posix.dirname(current);
    }
    for (const dir of missing.reverse()) this.dirs.set(dir, { durable: new Map(), current: new Map(), pending: [] });
  }

  truncate(path: string, sizeBytes: number): void {
    this.step('truncate', path);
    const { dir, name } = this.locate(path);
    const inode = dir.current.get(name);
    if (inode === undefined) throw new FsError('ENOENT', 'truncate', path);
    this.cut(this.inode(inode), sizeBytes);
  }

  truncateOpen(fd: FileHandle, sizeBytes: number): void {
    const handle = this.handle(fd, 'ftruncate');
    this.step('ftruncate', handle.path);
    this.cut(this.inode(handle.inode), sizeBytes);
  }

  /** Background fsyncs wait in a queue until the simulator runs them (`runBackground`), like a bio thread. */
  fsyncInBackground(fd: FileHandle, done: (err: Error | null) => void): void {
    this.backgroundQueue.push({ fd, done });
  }

  /** Queued like `fsyncInBackground`; its fsync's failure is ignored (counted in `faultsHitIgnored`), then it closes. */
  fsyncAndCloseInBackground(fd: FileHandle): void {
    this.backgroundQueue.push({ fd, done: null });
  }
  private backgroundQueue: { fd: FileHandle; done: ((err: Error | null) => void) | null }[] = [];

  /** Faults that failed an operation whose error the code ignores by design (a retired file's fsync). */
  faultsHitIgnored = 0;

  /** Completes every queued background job (each fsync an I/O operation that can crash or fail). */
  runBackground(): void {
    const queue = this.backgroundQueue;
    this.backgroundQueue = [];
    for (const { fd, done } of queue) {
      let error: Error | null = null;
      const hitsBefore = this.faultsHit;
      try {
        this.fsync(fd);
      } catch (err) {
        if (err instanceof SimulatedCrash) throw err;
        error = err as Error;
      }
      if (done !== null) {
        done(error);
        continue;
      }
      this.faultsHitIgnored += this.faultsHit - hitsBefore;
      this.close(fd);
    }
  }

  private cut(file: Inode, sizeBytes: number): void {
    file.currentBytes = Math.min(file.currentBytes, sizeBytes);
    file.pending.push({ kind: 'truncate', sizeBytes });
    file.mtimeMs = this.nowMs;
  }

  // -------------------------------------------------------------------------------------------------------
  // Crashes and corruption

  /**
   * Power loss: what the disk holds afterwards. Each directory keeps a random prefix of its unsynced entry
   * operations; each file keeps a random prefix of its unsynced data operations, the first dropped write possibly
   * torn. Open handles are gone. `random` is the campaign's seeded source.
   */
  crash(random: () => number, options: CrashOptions = {}): void {
    const tear = options.tearProbability ?? 0.5;
    this.handles.clear();
    this.backgroundQueue = [];
    for (const dir of this.dirs.values()) {
      const keep = Math.floor(random() * (dir.pending.length + 1));
      const entries = new Map(dir.durable);
      for (const op of dir.pending.slice(0, keep)) {
        if (op.kind === 'link') entries.set(op.name, op.inode);
        else entries.delete(op.name);
      }
      dir.durable = entries;
      dir.current = new Map(entries);
      dir.pending = [];
    }
    for (const file of this.inodes.values()) {
      const keep = Math.floor(random() * (file.pending.length + 1));
      const kept = file.pending.slice(0, keep);
      const dropped = file.pending[keep];
      if (dropped !== undefined && dropped.kind === 'write' && random() < tear) kept.push(tornWrite(dropped, random));
      file.durable = applyOps(file.durable, kept);
      file.current = file.durable.slice();
      file.currentBytes = file.durable.length;
      file.pending = [];
    }
  }

  /** Flips one random bit of a durable, non-empty file under `dir`; returns what it flipped, or null. */
  flipSyncedBit(random: () => number, dirPath: string): { path: string; offset: number } | null {
    const dir = this.dirs.get(this.normalize(dirPath));
    if (dir === undefined) return null;
    const candidates = [...dir.durable].filter(([, inode]) => this.inode(inode).durable.length > 0);
    if (candidates.length === 0) return null;
    const [name, inode] = candidates[Math.floor(random() * candidates.length)]!;
    const file = this.inode(inode);
    const offset = Math.floor(random() * file.durable.length);
    file.durable[offset] = file.durable[offset]! ^ (1 << Math.floor(random() * 8));
    if (offset < file.currentBytes) file.current[offset] = file.durable[offset]!;
    return { path: posix.join(this.normalize(dirPath), name), offset };
  }

  /** Flips one random bit of the durable bytes of the file at `path`; returns the byte offset, or null when empty/absent. */
  flipSyncedBitOf(random: () => number, path: string): number | null {
    const { dir, name } = this.locate(path);
    const inode = dir.durable.get(name);
    if (inode === undefined) return null;
    const file = this.inode(inode);
    if (file.durable.length === 0) return null;
    const offset = Math.floor(random() * file.durable.length);
    file.durable[offset] = file.durable[offset]! ^ (1 << Math.floor(random() * 8));
    if (dir.current.get(name) === inode && offset < file.currentBytes) file.current[offset] = file.durable[offset]!;
    return offset;
  }

  /** The whole current content of a file (tests, reports). */
  readAll(path: string): Uint8Array | null {
    const { dir, name } = this.locate(path);
    const inode = dir.current.get(name);
    if (inode === undefined) return null;
    const file = this.inode(inode);
    return file.current.slice(0, file.currentBytes);
  }

  // -------------------------------------------------------------------------------------------------------

  private step(kind: string, path: string): FaultKind | undefined {
    const index = this.opCount++;
    if (this.traceEnabled) this.trace.push(`${index} ${kind} ${path}`);
    // Power stays off after the crash point: code that swallowed the first SimulatedCrash gets nothing done.
    if (this.crashAtOp >= 0 && index >= this.crashAtOp) throw new SimulatedCrash(index);
    let fault = this.faults.get(index);
    if (fault !== undefined && FAULT_OPERATION[fault] !== kind) fault = undefined;
    for (const w of this.faultWindows) {
      if (fault !== undefined) break;
      if (index >= w.fromOp && index < w.untilOp && FAULT_OPERATION[w.kind] === kind && path.includes(w.pathIncludes)) fault = w.kind;
    }
    if (fault !== undefined) this.faultsHit++;
    return fault;
  }

  private normalize(path: string): string {
    return posix.resolve('/', path);
  }

  private locate(path: string): { dir: Directory; name: string } {
    const normalized = this.normalize(path);
    const dir = this.dirs.get(posix.dirname(normalized));
    if (dir === undefined) throw new FsError('ENOENT', 'open', path);
    return { dir, name: posix.basename(normalized) };
  }

  private inode(id: number): Inode {
    const file = this.inodes.get(id);
    if (file === undefined) throw new Error(`assertion failed: inode ${id} missing`);
    return file;
  }

  private handle(fd: FileHandle, syscall: string): OpenFile {
    const handle = this.handles.get(fd);
    if (handle === undefined) throw new FsError('EBADF', syscall, String(fd));
    return handle;
  }

  private ensure(file: Inode, bytes: number): void {
    if (bytes <= file.current.length) return;
    const next = new Uint8Array(Math.max(bytes, file.current.length * 2));
    next.set(file.current.subarray(0, file.currentBytes));
    file.current = next;
  }
}

/** The image after `ops` (in order) on top of `image`, built in one buffer. */
function applyOps(image: Uint8Array, ops: readonly FileOp[]): Uint8Array {
  if (ops.length === 0) return image;
  let size = image.length;
  let capacity = size;
  for (const op of ops) {
    if (op.kind === 'truncate') size = Math.min(size, op.sizeBytes);
    else size = Math.max(size, op.offset + op.bytes.length);
    capacity = Math.max(capacity, size);
  }
  const out = new Uint8Array(capacity);
  out.set(image);
  let length = image.length;
  for (const op of ops) {
    if (op.kind === 'truncate') {
      if (op.sizeBytes < length) out.fill(0, op.sizeBytes, length);
      length = Math.min(length, op.sizeBytes);
    } else {
      out.set(op.bytes, op.offset);
      length = Math.max(length, op.offset + op.bytes.length);
    }
  }
  return out.slice(0, length);
}

/** The part of a write that reached the platter: cut at any byte, or at a 512-byte sector boundary. */
function tornWrite(op: FileOp & { kind: 'write' }, random: () => number): FileOp {
  const length = op.bytes.length;
  let kept = Math.floor(random() * length);
  if (random() < 0.5) kept -= (op.offset + kept) % 512;
  kept = Math.max(0, kept);
  return { kind: 'write', offset: op.offset, bytes: op.bytes.subarray(0, kept) };
}
