/**
 * The FileSystem seam: every byte persistence reads or writes goes through this one small interface, so the
 * crash simulator (src/fuzz/) can substitute a disk that tears writes, fails fsync, returns ENOSPC or loses
 * what was not fsynced. `NodeFileSystem` is the real one (synchronous node:fs calls: a save runs between
 * event-loop turns and must not interleave with commands mid-write).
 *
 * The clock persistence reads (save times, LASTSAVE, durations, rdb age) comes in the same way:
 * `PersistenceClock`.
 *
 * Errors: implementations throw errors carrying a Node-style `code` (ENOENT, ENOSPC, EIO, ...); callers branch
 * on `code` only (see `fsErrorCode`). Paths are plain strings; relative paths are relative to the process's
 * working directory for NodeFileSystem and to the simulated root for the simulated one.
 */
import {
  closeSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';

/** An open file. `fd` values are the implementation's own handles. */
export type FileHandle = number;

/** How a file is opened: `read` (must exist), `write` (create or truncate), `append` (create, write at end). */
export type OpenMode = 'read' | 'write' | 'append';

export interface FileStat {
  sizeBytes: number;
  isDirectory: boolean;
  /** Last modification, unix ms. */
  mtimeMs: number;
}

export interface FileSystem {
  open(path: string, mode: OpenMode): FileHandle;
  /** Writes all of `data` at the end of what was written so far (write/append handles); returns data.length. */
  write(fd: FileHandle, data: Uint8Array): number;
  /** Reads up to `length` bytes at `position` into `target[offset..]`; returns the count, 0 at end of file. */
  read(fd: FileHandle, target: Uint8Array, offset: number, length: number, position: number): number;
  /** Makes the file's written bytes durable. */
  fsync(fd: FileHandle): void;
  close(fd: FileHandle): void;
  /** Size of an open file. */
  size(fd: FileHandle): number;
  /** Makes a directory's entries (creates, renames, unlinks) durable. */
  fsyncDir(path: string): void;
  /** Atomically replaces `to` with `from`. */
  rename(from: string, to: string): void;
  unlink(path: string): void;
  /** Entry names of a directory (not paths), in no particular order. */
  list(path: string): string[];
  /** Null when the path does not exist. */
  stat(path: string): FileStat | null;
  /** Creates a directory and missing parents; no error when it exists. */
  mkdir(path: string): void;
}

/** Wall and monotonic time as persistence reads them (real in the server, tick-driven in simulation). */
export interface PersistenceClock {
  /** Unix ms. */
  nowMs(): number;
  /** Monotonic microseconds, for durations. */
  monotonicUs(): number;
}

export const realPersistenceClock: PersistenceClock = {
  nowMs: () => Date.now(),
  monotonicUs: () => Number(process.hrtime.bigint() / 1000n),
};

/** The `code` of an error thrown by a FileSystem (ENOENT, ENOSPC, EIO...), or null for anything else. */
export function fsErrorCode(err: unknown): string | null {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return null;
}

/** A FileSystem-style error, for implementations other than node:fs. */
export class FsError extends Error {
  constructor(
    readonly code: string,
    readonly syscall: string,
    readonly path: string,
  ) {
    super(`${code}: ${syscall} '${path}'`);
    this.name = 'FsError';
  }
}

/** The real filesystem, through synchronous node:fs calls. */
export class NodeFileSystem implements FileSystem {
  open(path: string, mode: OpenMode): FileHandle {
    return openSync(path, mode === 'read' ? 'r' : mode === 'write' ? 'w' : 'a');
  }

  write(fd: FileHandle, data: Uint8Array): number {
    let done = 0;
    while (done < data.length) done += writeSync(fd, data, done, data.length - done);
    return done;
  }

  read(fd: FileHandle, target: Uint8Array, offset: number, length: number, position: number): number {
    return readSync(fd, target, offset, length, position);
  }

  fsync(fd: FileHandle): void {
    fsyncSync(fd);
  }

  close(fd: FileHandle): void {
    closeSync(fd);
  }

  size(fd: FileHandle): number {
    return fstatSync(fd).size;
  }

  fsyncDir(path: string): void {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  rename(from: string, to: string): void {
    renameSync(from, to);
  }

  unlink(path: string): void {
    unlinkSync(path);
  }

  list(path: string): string[] {
    return readdirSync(path);
  }

  stat(path: string): FileStat | null {
    try {
      const s = statSync(path);
      return { sizeBytes: s.size, isDirectory: s.isDirectory(), mtimeMs: s.mtimeMs };
    } catch (err) {
      if (fsErrorCode(err) === 'ENOENT') return null;
      throw err;
    }
  }

  mkdir(path: string): void {
    mkdirSync(path, { recursive: true });
  }
}

/**
 * Reads a file from byte `start` to its end through the seam in `chunkBytes` pieces (the chunk buffer is reused:
 * consumers copy what they keep). Used by loaders that stream; never holds the file in memory.
 */
export function* readChunks(fs: FileSystem, path: string, chunkBytes = 1024 * 1024, start = 0): Generator<Uint8Array> {
  const fd = fs.open(path, 'read');
  try {
    const buf = Buffer.allocUnsafe(chunkBytes);
    let position = start;
    for (;;) {
      const n = fs.read(fd, buf, 0, chunkBytes, position);
      if (n === 0) return;
      position += n;
      yield buf.subarray(0, n);
    }
  } finally {
    fs.close(fd);
  }
}

/**
 * Durably replaces `path` with what `produce` writes: writes `tempPath`, fsyncs it, renames it over `path`,
 * fsyncs the directory (Redis rdbSave / writeAofManifestFile). On any failure the temp file is removed and the
 * error rethrown; `path` is then untouched.
 */
export function writeFileAtomic(
  fs: FileSystem,
  options: { path: string; tempPath: string; dir: string },
  produce: (write: (chunk: Uint8Array) => void) => void,
): void {
  let fd: FileHandle | null = fs.open(options.tempPath, 'write');
  try {
    const handle = fd;
    produce((chunk) => {
      fs.write(handle, chunk);
    });
    fs.fsync(fd);
    fs.close(fd);
    fd = null;
    fs.rename(options.tempPath, options.path);
  } catch (err) {
    if (fd !== null) {
      try {
        fs.close(fd);
      } catch {
        // The write error is the one to report.
      }
    }
    try {
      fs.unlink(options.tempPath);
    } catch {
      // Nothing to remove.
    }
    throw err;
  }
  fs.fsyncDir(options.dir);
}
