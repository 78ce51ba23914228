/**
 * What the AOF needs from the filesystem beyond the common seam (../fs.ts): cutting a file (a torn tail at load,
 * a short write) and an fsync that does not block the event loop (`appendfsync everysec`, Redis's bio thread).
 */
import { close, fsync, ftruncateSync, truncateSync } from 'node:fs';
import { NodeFileSystem, type FileHandle, type FileSystem } from '../fs.js';

export interface AofFileSystem extends FileSystem {
  /** Cuts the file at `path` to `sizeBytes`. */
  truncate(path: string, sizeBytes: number): void;
  /** Cuts an open file to `sizeBytes` (undoing a short write). */
  truncateOpen(fd: FileHandle, sizeBytes: number): void;
  /**
   * Starts an fsync of `fd` off the event loop; `done` runs on a later loop turn. The caller keeps `fd` open
   * until `done` ran.
   */
  fsyncInBackground(fd: FileHandle, done: (err: Error | null) => void): void;
  /**
   * Fsyncs then closes `fd` off the event loop (Redis's BIO_CLOSE_FILE job with need_fsync): how the AOF retires
   * an INCR. Nothing waits for it and its errors are ignored, as Redis ignores them. `fd` has no other job queued.
   */
  fsyncAndCloseInBackground(fd: FileHandle): void;
}

/** The real one: node:fs, the background fsync on libuv's thread pool. */
export class NodeAofFileSystem extends NodeFileSystem implements AofFileSystem {
  truncate(path: string, sizeBytes: number): void {
    truncateSync(path, sizeBytes);
  }

  truncateOpen(fd: FileHandle, sizeBytes: number): void {
    ftruncateSync(fd, sizeBytes);
  }

  fsyncInBackground(fd: FileHandle, done: (err: Error | null) => void): void {
    fsync(fd, (err) => done(err));
  }

  fsyncAndCloseInBackground(fd: FileHandle): void {
    fsync(fd, () => close(fd, () => {}));
  }
}

/** C strerror text of an errno code, for log lines and the MISCONF reply (Redis prints strerror(errno)). */
export function strerror(code: string | null): string {
  switch (code) {
    case 'ENOSPC':
      return 'No space left on device';
    case 'EIO':
      return 'Input/output error';
    case 'EACCES':
      return 'Permission denied';
    case 'EPERM':
      return 'Operation not permitted';
    case 'EROFS':
      return 'Read-only file system';
    case 'EDQUOT':
      return 'Disk quota exceeded';
    case 'ENOENT':
      return 'No such file or directory';
    case 'EBADF':
      return 'Bad file descriptor';
    case 'EFBIG':
      return 'File too large';
    case 'EISDIR':
      return 'Is a directory';
    case 'ENOTDIR':
      return 'Not a directory';
    case 'EEXIST':
      return 'File exists';
    case 'EMFILE':
      return 'Too many open files';
    case null:
      return 'Unknown error';
    default:
      return code;
  }
}
